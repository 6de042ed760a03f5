package minikv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

/** The per-state key counts that feed the index's metrics, against a real Xodus store. */
class KeyCountsTest {

    private static final List<String> AT = List.of("v1:1/sv00");

    @TempDir
    Path dir;

    @Test
    void countsFollowEveryChangeOfState() {
        try (IndexStore store = IndexStore.open(dir)) {
            store.put(b("/a"), Record.pending(AT));
            assertCounts(store, 1, 0, 0, 0);
            store.put(b("/a"), Record.live(AT, null));
            store.put(b("/b"), Record.live(AT, null));
            assertCounts(store, 0, 2, 0, 0);
            store.put(b("/b"), Record.live(AT, null).withState(State.UNLINKED));
            assertCounts(store, 0, 1, 1, 0);
            store.put(b("/a"), Record.live(AT, null).withState(State.DELETING));
            assertCounts(store, 0, 0, 1, 1);
            store.remove(b("/a"));
            store.remove(b("/never-there"));
            assertCounts(store, 0, 0, 1, 0);
        }
    }

    @Test
    void reopeningCountsWhatIsStored() {
        try (IndexStore store = IndexStore.open(dir)) {
            store.put(b("/live1"), Record.live(AT, null));
            store.put(b("/live2"), Record.live(AT, null));
            store.put(b("/pending"), Record.pending(AT));
            store.put(b("/unlinked"), Record.live(AT, null).withState(State.UNLINKED));
        }
        try (IndexStore store = IndexStore.open(dir)) {
            assertCounts(store, 1, 2, 1, 0);
        }
    }

    @Test
    void concurrentWritersSharingCommitsAreAllCounted() throws Exception {
        int writers = 8;
        int keysEach = 200;
        try (IndexStore store = IndexStore.open(dir)) {
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    int writer = w;
                    done.add(pool.submit(() -> {
                        for (int k = 0; k < keysEach; k++) {
                            byte[] key = b("/w" + writer + "/" + k);
                            store.put(key, Record.pending(AT));
                            store.put(key, Record.live(AT, null));
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            assertCounts(store, 0, writers * keysEach, 0, 0);
        }
    }

    private static void assertCounts(IndexStore store, long pending, long live, long unlinked, long deleting) {
        KeyCounts counts = store.keyCounts();
        assertEquals(List.of(pending, live, unlinked, deleting), List.of(counts.of(State.PENDING), counts.of(State.LIVE),
                counts.of(State.UNLINKED), counts.of(State.DELETING)), "pending, live, unlinked, deleting");
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
