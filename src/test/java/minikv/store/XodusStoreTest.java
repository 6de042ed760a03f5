package minikv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
}
