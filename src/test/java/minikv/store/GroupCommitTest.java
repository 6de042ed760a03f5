package minikv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import minikv.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The group-commit engine alone, with a batch and a sync that the test holds and releases, so
 * that every interleaving it checks happens on cue: who shares a transaction, who waits for a
 * sync and who does not, which sync covers whom, and what a failure reaches.
 */
class GroupCommitTest {

    private final List<List<String>> batches = new CopyOnWriteArrayList<>();
    private final AtomicInteger syncs = new AtomicInteger();
    /** Counted down by the test to let the current batch (or sync) finish. */
    private volatile CountDownLatch batchGate = new CountDownLatch(0);
    private volatile CountDownLatch syncGate = new CountDownLatch(0);
    private final CountDownLatch firstBatchStarted = new CountDownLatch(1);
    private volatile RuntimeException batchFailure;
    private volatile RuntimeException syncFailure;
    /** Batches applied when each sync began. */
    private final List<Integer> appliedAtSync = new CopyOnWriteArrayList<>();

    private final GroupCommit<String> commits = new GroupCommit<>("test", changes -> {
        firstBatchStarted.countDown();
        await(batchGate);
        if (batchFailure != null) {
            throw batchFailure;
        }
        batches.add(List.copyOf(changes));
    }, () -> {
        appliedAtSync.add(batches.size());
        await(syncGate);
        if (syncFailure != null) {
            throw syncFailure;
        }
        syncs.incrementAndGet();
    }, 1024);

    @AfterEach
    void close() {
        batchGate.countDown();
        syncGate.countDown();
        commits.close();
    }

    @Test
    void changesQueuedDuringABatchShareTheNextOne() throws Exception {
        batchGate = new CountDownLatch(1);
        CompletableFuture<Void> first = commitAsync("first", false);
        firstBatchStarted.await(5, TimeUnit.SECONDS);
        List<CompletableFuture<Void>> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            queued.add(commitAsync("q" + i, false));
        }
        Thread.sleep(100); // all ten are queued behind the held batch
        batchGate.countDown();
        first.get(5, TimeUnit.SECONDS);
        for (CompletableFuture<Void> q : queued) {
            q.get(5, TimeUnit.SECONDS);
        }
        assertEquals(List.of("first"), batches.get(0));
        assertEquals(2, batches.size(), "the ten shared one transaction: " + batches);
        assertEquals(10, batches.get(1).size());
    }

    @Test
    void aChangeThatNeedsNoSyncNeverWaitsForOne() throws Exception {
        syncGate = new CountDownLatch(1);
        CompletableFuture<Void> durable = commitAsync("durable", true);
        assertTrue(Await.until(() -> appliedAtSync.size() == 1, Duration.ofSeconds(5))); // its sync has begun, and is held

        commits.commit("quick", false); // returns although the sync is still held

        assertFalse(durable.isDone(), "a durable change waits for its sync");
        syncGate.countDown();
        durable.get(5, TimeUnit.SECONDS);
        assertEquals(1, syncs.get());
    }

    @Test
    void aDurableChangeReturnsOnlyAfterASyncThatBeganAfterItWasApplied() throws Exception {
        commits.commit("a", true);
        assertEquals(1, syncs.get());
        assertTrue(appliedAtSync.get(0) >= 1, "the sync began after the batch was applied");
        commits.commit("b", false);
        assertEquals(1, syncs.get(), "no sync for a change that needs none");
    }

    @Test
    void oneSyncCoversEveryDurableChangeHandedOverMeanwhile() throws Exception {
        syncGate = new CountDownLatch(1);
        CompletableFuture<Void> first = commitAsync("first", true);
        assertTrue(Await.until(() -> appliedAtSync.size() == 1, Duration.ofSeconds(5)));
        List<CompletableFuture<Void>> later = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            later.add(commitAsync("d" + i, true));
        }
        assertTrue(Await.until(() -> batches.stream().mapToInt(List::size).sum() == 21, Duration.ofSeconds(5))); // applied, waiting for a sync
        syncGate.countDown();
        first.get(5, TimeUnit.SECONDS);
        for (CompletableFuture<Void> f : later) {
            f.get(5, TimeUnit.SECONDS);
        }
        assertEquals(2, syncs.get(), "one sync for the first, one for the twenty: " + syncs.get());
    }

    @Test
    void aFailedBatchFailsItsChangesAndTheNextBatchGoesOn() throws Exception {
        batchFailure = new IllegalStateException("disk on fire");
        RuntimeException failed = assertThrows(RuntimeException.class, () -> commits.commit("lost", true));
        assertSame(batchFailure, failed);
        assertEquals(0, syncs.get(), "nothing to sync for a failed batch");
        batchFailure = null;
        commits.commit("next", true);
        assertEquals(List.of(List.of("next")), batches);
    }

    @Test
    void aFailedSyncFailsTheChangesWaitingForIt() {
        syncFailure = new IllegalStateException("fsync failed");
        RuntimeException failed = assertThrows(RuntimeException.class, () -> commits.commit("unsure", true));
        assertSame(syncFailure, failed);
        commits.commit("unsynced", false); // the writer is unaffected
    }

    @Test
    void closeFinishesWhatIsQueuedThenRefuses() throws Exception {
        batchGate = new CountDownLatch(1);
        CompletableFuture<Void> first = commitAsync("first", true);
        firstBatchStarted.await(5, TimeUnit.SECONDS);
        CompletableFuture<Void> queued = commitAsync("queued", true);
        Thread.sleep(100);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(commits::close);
        Thread.sleep(100);
        assertFalse(commits.isOpen());
        batchGate.countDown();
        closing.get(5, TimeUnit.SECONDS);
        first.get(5, TimeUnit.SECONDS);
        queued.get(5, TimeUnit.SECONDS);
        assertEquals(2, batches.stream().mapToInt(List::size).sum(), "both were applied before the threads stopped");
        assertThrows(IllegalStateException.class, () -> commits.commit("late", false));
    }

    @Test
    void underContentionEveryChangeReturnsAndEveryDurableOneAfterASyncThatCoversIt() throws Exception {
        AtomicLong applied = new AtomicLong(); // changes applied so far, in order
        AtomicLong synced = new AtomicLong(); // of those, how many a finished sync covers
        ConcurrentHashMap<String, Long> order = new ConcurrentHashMap<>();
        try (GroupCommit<String> shared = new GroupCommit<>("contention", changes -> {
            changes.forEach(c -> order.put(c, applied.getAndIncrement()));
            Thread.yield();
        }, () -> {
            long covered = applied.get();
            Thread.yield();
            synced.accumulateAndGet(covered, Math::max);
        }, 8)) {
            int threads = 16;
            int each = 2_000;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < each; i++) {
                            String change = thread + "/" + i;
                            boolean durable = (i + thread) % 3 != 0;
                            shared.commit(change, durable);
                            if (durable && order.get(change) >= synced.get()) {
                                throw new AssertionError(change + " returned before a sync covered it");
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS); // a lost wake-up shows as a timeout here
                }
            } finally {
                pool.shutdownNow();
            }
        }
        assertEquals(16 * 2_000, order.size());
    }

    private CompletableFuture<Void> commitAsync(String change, boolean durable) {
        return CompletableFuture.runAsync(() -> commits.commit(change, durable));
    }

    private static void await(CountDownLatch gate) {
        try {
            if (!gate.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the gate");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
