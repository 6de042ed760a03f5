package minikv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jetbrains.exodus.ArrayByteIterable;
import jetbrains.exodus.env.Environment;
import jetbrains.exodus.env.Environments;
import jetbrains.exodus.env.StoreConfig;
import minikv.store.Record.State;
import org.junit.jupiter.api.Test;

/** The contract, on the embedded Xodus store, and what is Xodus's own: sync counting, the directory lock. */
class XodusStoreTest extends IndexStoreContract {

    @Override
    IndexStore open(Path dir) {
        return XodusStore.open(dir);
    }

    @Test
    void onlyDurableChangesSync() {
        try (XodusStore store = XodusStore.open(dir)) {
            store.compareAndSetUnsynced(b("/p"), null, Record.pending(AT));
            store.compareAndSetUnsynced(b("/q"), null, Record.pending(AT));
            store.compareAndSetUnsynced(b("/q"), Record.pending(AT), null);
            assertEquals(0, store.syncs());
            assertEquals(Record.pending(AT), store.get(b("/p"))); // committed: readers see it
            assertNull(store.get(b("/q")));
            store.put(b("/p"), Record.live(AT, null));
            assertEquals(1, store.syncs());
            store.remove(b("/p"));
            assertEquals(2, store.syncs());
        }
        try (XodusStore store = XodusStore.open(dir)) {
            assertNull(store.get(b("/p")));
            assertEquals(List.of(), store.unsettled());
        }
    }

    @Test
    void aBatchSyncsOnceAndOnlyIfAChangeInItNeedsIt() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try (XodusStore store = XodusStore.open(dir)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                byte[] key = b("/u" + i);
                done.add(pool.submit(() -> store.compareAndSetUnsynced(key, null, Record.pending(AT))));
            }
            for (Future<?> f : done) {
                f.get();
            }
            assertEquals(0, store.syncs());
            done.clear();
            for (int i = 0; i < 2000; i++) {
                byte[] key = b("/u" + i);
                done.add(pool.submit(i % 2 == 0
                        ? () -> store.put(key, Record.live(AT, null))
                        : () -> store.compareAndSetUnsynced(key, Record.pending(AT), null)));
            }
            for (Future<?> f : done) {
                f.get();
            }
            long syncs = store.syncs();
            assertTrue(syncs >= 1 && syncs <= 1000, "syncs: " + syncs);
            assertEquals(1000, scan(store, "/u", "", State.LIVE).size());
            assertEquals(List.of(), store.unsettled());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSecondOpenerIsToldWhy() {
        try (IndexStore store = open(dir)) {
            IllegalStateException locked = assertThrows(IllegalStateException.class, () -> open(dir));
            assertTrue(locked.getMessage().contains(dir.toString()), locked.getMessage());
        }
    }

    /** More than one page of the filling scan, so that its pages must join up. */
    private static final int MANY = 100_050;

    @Test
    void aReopenedIndexKnowsItsCountsAtOnceAndItsFilterMissesNoKey() throws Exception {
        try (XodusStore store = XodusStore.open(dir)) {
            writeLive(store, MANY);
        }
        try (XodusStore store = XodusStore.open(dir)) {
            assertEquals(MANY, store.keyCounts().of(State.LIVE), "read, not counted");
            store.compareAndSetUnsynced(b("/written-while-filling"), null, Record.live(AT, null));
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!store.filterFilled()) {
                assertTrue(System.nanoTime() < deadline, "the key filter was not filled within 60 s");
                Thread.sleep(10);
            }
            for (int k = 0; k < MANY; k++) {
                assertNotNull(store.get(key(k)), "key " + k + " held before the index opened");
            }
            assertNotNull(store.get(b("/written-while-filling")));
            assertNull(store.get(b("/never-written")));
        }
    }

    @Test
    void anIndexFromBeforeTheCountsWereStoredIsCountedOnceWhenOpened() {
        try (XodusStore store = XodusStore.open(dir)) {
            store.put(b("/live"), Record.live(AT, null));
            store.put(b("/pending"), Record.pending(AT));
        }
        Environment env = Environments.newInstance(dir.toFile(), XodusStore.config());
        env.executeInTransaction(txn -> env.openStore("meta", StoreConfig.WITHOUT_DUPLICATES, txn)
                .delete(txn, new ArrayByteIterable("counts".getBytes(StandardCharsets.US_ASCII))));
        env.close();
        try (XodusStore store = XodusStore.open(dir)) {
            assertEquals(1, store.keyCounts().of(State.LIVE));
            assertEquals(1, store.keyCounts().of(State.PENDING));
            assertTrue(store.filterFilled(), "the count's scan fills the filter on the way");
            store.remove(b("/live"));
        }
        try (XodusStore store = XodusStore.open(dir)) {
            assertEquals(0, store.keyCounts().of(State.LIVE), "stored by the count, then kept by each commit");
            assertEquals(1, store.keyCounts().of(State.PENDING));
        }
    }

    private static void writeLive(XodusStore store, int keys) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int first = t;
                parts.add(pool.submit(() -> {
                    for (int k = first; k < keys; k += 16) {
                        store.compareAndSetUnsynced(key(k), null, Record.live(AT, null));
                    }
                }));
            }
            for (Future<?> part : parts) {
                part.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private static byte[] key(int k) {
        return b(String.format("/k/%06d", k));
    }
}
