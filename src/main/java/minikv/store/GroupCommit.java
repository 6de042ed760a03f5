package minikv.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Commits changes from many threads in shared transactions, and syncs once for many durable ones.
 *
 * <p>One writer thread drains everything queued (up to {@code maxBatch}) and applies it as one
 * batch; then it answers the changes that need no sync and hands the others to a syncer thread,
 * which syncs once for all it has been handed. The store's log is written in order, so one sync
 * covers every earlier commit; and the writer goes on committing meanwhile, so a change that
 * needs no sync never waits for one. Pure concurrency: what a batch and a sync are is the
 * caller's.
 *
 * @param <T> a change
 */
final class GroupCommit<T> implements AutoCloseable {

    /** Applies a batch in one transaction; throws to fail every change in it. */
    @FunctionalInterface
    interface Batch<T> {
        void apply(List<T> changes);
    }

    private record Pending<T>(T change, boolean durable, CompletableFuture<Void> done) {}

    private final Batch<T> batch;
    private final Runnable sync;
    private final int maxBatch;
    private final BlockingQueue<Pending<T>> queue = new LinkedBlockingQueue<>();
    /** Committed changes waiting for a sync. */
    private final BlockingQueue<Pending<T>> toSync = new LinkedBlockingQueue<>();
    private final Pending<T> closeMarker = new Pending<>(null, false, null);
    private final AtomicLong syncs = new AtomicLong();
    private final Thread writer;
    private final Thread syncer;
    private final Object submitLock = new Object();
    private boolean closed;

    /**
     * @param sync makes every change applied so far durable; throws to fail the changes waiting for it
     */
    GroupCommit(String name, Batch<T> batch, Runnable sync, int maxBatch) {
        this.batch = batch;
        this.sync = sync;
        this.maxBatch = maxBatch;
        this.writer = new Thread(this::writeLoop, name + "-writer");
        this.syncer = new Thread(this::syncLoop, name + "-syncer");
        writer.start();
        syncer.start();
    }

    /**
     * Returns once {@code change} is applied and, if {@code durable}, synced.
     *
     * @throws IllegalStateException once {@link #close} has begun
     * @throws RuntimeException what its batch or its sync threw
     */
    void commit(T change, boolean durable) {
        Pending<T> pending = new Pending<>(change, durable, new CompletableFuture<>());
        synchronized (submitLock) {
            if (closed) {
                throw new IllegalStateException("the index store is closed");
            }
            queue.add(pending);
        }
        try {
            pending.done.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** False once {@link #close} has begun. */
    boolean isOpen() {
        synchronized (submitLock) {
            return !closed;
        }
    }

    /** How many syncs have been made. */
    long syncs() {
        return syncs.get();
    }

    /** Applies and syncs what is already queued, then stops both threads. */
    @Override
    public void close() {
        synchronized (submitLock) {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(closeMarker);
        }
        boolean interrupted = false;
        while (writer.isAlive() || syncer.isAlive()) { // the writer stops the syncer when it stops
            try {
                writer.join();
                syncer.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeLoop() {
        List<Pending<T>> taken = new ArrayList<>();
        List<T> changes = new ArrayList<>();
        boolean closing = false;
        while (!closing) {
            taken.clear();
            taken.add(takeUninterruptibly(queue));
            queue.drainTo(taken, maxBatch - 1);
            closing = taken.remove(closeMarker); // nothing is queued after the marker
            if (taken.isEmpty()) {
                continue;
            }
            changes.clear();
            taken.forEach(p -> changes.add(p.change));
            try {
                batch.apply(changes);
            } catch (RuntimeException e) {
                taken.forEach(p -> p.done.completeExceptionally(e));
                continue;
            }
            for (Pending<T> p : taken) {
                if (p.durable) {
                    toSync.add(p);
                } else {
                    p.done.complete(null);
                }
            }
        }
        toSync.add(closeMarker);
    }

    private void syncLoop() {
        List<Pending<T>> committed = new ArrayList<>();
        boolean closing = false;
        while (!closing) {
            committed.clear();
            committed.add(takeUninterruptibly(toSync));
            toSync.drainTo(committed);
            closing = committed.remove(closeMarker); // the writer hands over nothing after it
            if (committed.isEmpty()) {
                continue;
            }
            try {
                sync.run();
                syncs.incrementAndGet();
                committed.forEach(p -> p.done.complete(null));
            } catch (RuntimeException e) {
                committed.forEach(p -> p.done.completeExceptionally(e));
            }
        }
    }

    private static <T> T takeUninterruptibly(BlockingQueue<T> from) {
        while (true) {
            try {
                return from.take();
            } catch (InterruptedException e) {
                // Only close() ends the threads: queued callers are waiting for them.
            }
        }
    }
}
