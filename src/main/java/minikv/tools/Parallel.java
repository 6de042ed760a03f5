package minikv.tools;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fixed number of threads working through tasks that one producer hands over as it finds
 * them: {@link #submit} blocks while the threads are busy and a few tasks wait, so a producer
 * walking billions of keys never queues more than a handful in memory.
 */
final class Parallel implements AutoCloseable {

    private final ExecutorService threads;
    private final Semaphore slots;
    private final int capacity;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    Parallel(String name, int threads) {
        this.capacity = threads * 2;
        this.slots = new Semaphore(capacity);
        this.threads = Executors.newFixedThreadPool(threads, runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code task} on one of the threads; waits for room first. */
    void submit(Runnable task) throws InterruptedException {
        rethrow();
        slots.acquire();
        threads.execute(() -> {
            try {
                task.run();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                slots.release();
            }
        });
    }

    /**
     * Waits for every task submitted so far.
     *
     * @throws IllegalStateException wrapping the first unexpected failure of a task
     */
    void await() throws InterruptedException {
        slots.acquire(capacity);
        slots.release(capacity);
        rethrow();
    }

    private void rethrow() {
        Throwable t = failure.get();
        if (t != null) {
            throw new IllegalStateException("a worker failed: " + t, t);
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
