package minikv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import minikv.store.Record.State;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexStoreTest {

    @TempDir
    Path dir;

    private static final List<String> AT = List.of("v1:1/sv00", "v2:2/sv01");

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> scan(IndexStore store, String prefix, String start, State state) {
        List<String> keys = new ArrayList<>();
        try (IndexStore.Snapshot s = store.snapshot()) {
            s.scanKeys(b(prefix), b(start), state, k -> keys.add(new String(k, StandardCharsets.UTF_8)));
        }
        return keys;
    }

    @Test
    void whatIsCommittedSurvivesReopening() {
        try (IndexStore store = IndexStore.open(dir)) {
            store.put(b("/a"), Record.live(AT, null));
            store.put(b("/b"), Record.pending(AT));
            store.put(b("/c"), Record.pending(AT));
            store.remove(b("/c"));
        }
        try (IndexStore store = IndexStore.open(dir)) {
            assertEquals(Record.live(AT, null), store.get(b("/a")));
            assertEquals(Record.pending(AT), store.get(b("/b")));
            assertNull(store.get(b("/c")));
        }
    }

    @Test
    void unsettledFollowsTheState() {
        try (IndexStore store = IndexStore.open(dir)) {
            store.put(b("/p"), Record.pending(AT));
            store.put(b("/d"), Record.pending(AT).withState(State.DELETING));
            store.put(b("/l"), Record.pending(AT));
            store.put(b("/l"), Record.live(AT, null));
            store.put(b("/gone"), Record.pending(AT));
            store.remove(b("/gone"));
            List<String> keys = store.unsettled().stream().map(e -> new String(e.key(), StandardCharsets.UTF_8)).toList();
            assertEquals(List.of("/d", "/p"), keys);
            assertEquals(State.DELETING, store.unsettled().get(0).record().state());
        }
    }

    @Test
    void scansFollowByteOrderPrefixStartAndState() {
        try (IndexStore store = IndexStore.open(dir)) {
            for (String k : List.of("/a/1", "/a/2", "/a/é", "/a/z", "/ab", "/b", "/a/3")) {
                store.put(b(k), Record.live(AT, null));
            }
            store.put(b("/a/3"), Record.live(AT, null).withState(State.UNLINKED));
            assertEquals(List.of("/a/1", "/a/2", "/a/z", "/a/é"), scan(store, "/a/", "", State.LIVE));
            assertEquals(List.of("/a/3"), scan(store, "/a/", "", State.UNLINKED));
            assertEquals(List.of("/a/z", "/a/é"), scan(store, "/a/", "/a/3", State.LIVE));
            assertEquals(List.of("/a/1", "/a/2", "/a/z", "/a/é"), scan(store, "/a/", "/", State.LIVE));
            assertEquals(List.of(), scan(store, "/a/", "/b", State.LIVE));
            assertEquals(7 - 1, scan(store, "/", "", State.LIVE).size());
        }
    }

    @Test
    void concurrentWritersShareCommitsAndAllLand() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try (IndexStore store = IndexStore.open(dir)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                byte[] key = b("/k" + i);
                done.add(pool.submit(() -> store.put(key, Record.live(AT, null))));
            }
            for (Future<?> f : done) {
                f.get();
            }
            assertEquals(2000, scan(store, "/k", "", State.LIVE).size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aClosedStoreRefusesWritesAndASecondOpenerIsToldWhy() {
        IndexStore store = IndexStore.open(dir);
        IllegalStateException locked = assertThrows(IllegalStateException.class, () -> IndexStore.open(dir));
        assertTrue(locked.getMessage().contains(dir.toString()), locked.getMessage());
        store.close();
        assertThrows(IllegalStateException.class, () -> store.put(b("/x"), Record.pending(AT)));
    }
}
