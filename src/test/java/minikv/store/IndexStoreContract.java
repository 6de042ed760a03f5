package minikv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import minikv.store.Record.State;
import minikv.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link IndexStore} must do, run against each implementation by a subclass that
 * says how to open one. The crash case runs the store in a child JVM and kills it with SIGKILL.
 */
abstract class IndexStoreContract {

    static final List<String> AT = List.of("v1:1/sv00", "v2:2/sv01");

    @TempDir
    Path dir;

    /** Opens (creating if needed) a store of this implementation in {@code dir}. */
    abstract IndexStore open(Path dir);

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<String> scan(IndexStore store, String prefix, String start, State state) {
        List<String> keys = new ArrayList<>();
        try (IndexStore.Snapshot s = store.snapshot()) {
            s.scanKeys(b(prefix), b(start), state, k -> keys.add(new String(k, StandardCharsets.UTF_8)));
        }
        return keys;
    }

    @Test
    void whatIsCommittedSurvivesReopening() {
        try (IndexStore store = open(dir)) {
            store.put(b("/a"), Record.live(AT, null));
            store.put(b("/b"), Record.pending(AT));
            store.put(b("/c"), Record.pending(AT));
            store.remove(b("/c"));
        }
        try (IndexStore store = open(dir)) {
            assertEquals(Record.live(AT, null), store.get(b("/a")));
            assertEquals(Record.pending(AT), store.get(b("/b")));
            assertNull(store.get(b("/c")));
        }
    }

    @Test
    void unsettledFollowsTheState() {
        try (IndexStore store = open(dir)) {
            store.put(b("/p"), Record.pending(AT));
            store.put(b("/d"), Record.pending(AT).withState(State.DELETING));
            store.put(b("/l"), Record.pending(AT));
            store.put(b("/l"), Record.live(AT, null));
            store.put(b("/gone"), Record.pending(AT));
            store.remove(b("/gone"));
            Record replacing = Record.live(AT, null).withNext(Record.live(AT, null), true);
            store.put(b("/r"), replacing);
            store.put(b("/r2"), replacing);
            store.put(b("/r2"), replacing.next()); // the replace finished
            store.put(b("/u"), Record.live(AT, null).withState(State.RENAMING)); // an UNLINK renaming
            store.put(b("/u2"), Record.live(AT, null).withState(State.RENAMING));
            store.put(b("/u2"), Record.live(AT, null).withState(State.UNLINKED)); // its renames done
            Record overUnlinked = Record.live(AT, null).withLeftover(Record.live(AT, null).withState(State.UNLINKED));
            store.put(b("/w"), overUnlinked); // written over an unlinked value, whose files are yet to go
            store.put(b("/w2"), overUnlinked);
            store.put(b("/w2"), overUnlinked.withState(State.LIVE)); // they are gone
            List<String> keys = store.unsettled().stream().map(e -> new String(e.key(), StandardCharsets.UTF_8)).toList();
            assertEquals(List.of("/d", "/p", "/r", "/u", "/w"), keys);
            assertEquals(overUnlinked, store.unsettled().get(4).record());
            assertEquals(List.of("/u", "/u2"), scan(store, "/", "", State.UNLINKED), "a key being renamed is listed as unlinked");
            assertEquals(List.of(), scan(store, "/", "", State.RENAMING), "and only so");
            assertEquals(State.DELETING, store.unsettled().get(0).record().state());
            assertEquals(replacing, store.unsettled().get(2).record());
            assertEquals(List.of("/l", "/r", "/r2", "/w", "/w2"), scan(store, "/", "", State.LIVE),
                    "a key being replaced, or with a leftover, is listed");
        }
    }

    @Test
    void scansFollowByteOrderPrefixStartAndState() {
        try (IndexStore store = open(dir)) {
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
        try (IndexStore store = open(dir)) {
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
    void compareAndSetChangesOnlyTheRecordItExpects() {
        Record pending = Record.pending(AT);
        Record live = Record.live(AT, null);
        try (IndexStore store = open(dir)) {
            assertTrue(store.compareAndSet(b("/k"), null, pending), "claims an absent key");
            assertFalse(store.compareAndSet(b("/k"), null, live), "a second claim of it fails");
            assertFalse(store.compareAndSet(b("/k"), live, null), "so does one that expects another record");
            assertEquals(pending, store.get(b("/k")), "and neither changed it");

            assertTrue(store.compareAndSet(b("/k"), pending, live));
            assertEquals(1, store.keyCounts().of(State.LIVE));
            assertTrue(store.compareAndSet(b("/k"), live, null), "null removes");
            assertNull(store.get(b("/k")));
            assertEquals(0, store.keyCounts().of(State.LIVE));
        }
        try (IndexStore reopened = open(dir)) {
            assertNull(reopened.get(b("/k")), "what it returned for is durable");
        }
    }

    @Test
    void ofConcurrentClaimsOfOneKeyExactlyOneWins() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try (IndexStore store = open(dir)) {
            for (int round = 0; round < 20; round++) {
                byte[] key = b("/contended" + round);
                List<Future<Boolean>> claims = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    Record mine = Record.pending(List.of("v" + i + ":1/sv00"));
                    claims.add(pool.submit(() -> store.compareAndSet(key, null, mine)));
                }
                List<Integer> winners = new ArrayList<>();
                for (int i = 0; i < claims.size(); i++) {
                    if (claims.get(i).get()) {
                        winners.add(i);
                    }
                }
                assertEquals(1, winners.size(), "round " + round + ": winners " + winners);
                assertEquals(List.of("v" + winners.get(0) + ":1/sv00"), store.get(key).locations(), "the winner's record stands");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void unsyncedChangesSurviveReopening() {
        try (IndexStore store = open(dir)) {
            assertTrue(store.compareAndSetUnsynced(b("/p"), null, Record.pending(AT)));
            assertTrue(store.compareAndSetUnsynced(b("/d"), null, Record.pending(AT).withState(State.DELETING)));
            assertTrue(store.compareAndSetUnsynced(b("/d"), Record.pending(AT).withState(State.DELETING), null));
        }
        try (IndexStore store = open(dir)) {
            assertEquals(Record.pending(AT), store.get(b("/p")));
            assertEquals(1, store.unsettled().size());
        }
    }

    @Test
    void aSnapshotKeepsItsVersionWhileWritersGoOn() {
        try (IndexStore store = open(dir)) {
            store.put(b("/s1"), Record.live(AT, null));
            try (IndexStore.Snapshot snapshot = store.snapshot()) {
                store.put(b("/s2"), Record.live(AT, null));
                List<String> seen = new ArrayList<>();
                snapshot.scanKeys(b("/s"), b(""), State.LIVE, k -> seen.add(new String(k, StandardCharsets.UTF_8)));
                assertEquals(List.of("/s1"), seen);
            }
            assertEquals(List.of("/s1", "/s2"), scan(store, "/s", "", State.LIVE));
        }
    }

    @Test
    void aRecordScanGivesEachKeyWithItsRecordAndDetailsInOrder() {
        Record detailed = Record.live(AT, null).withDetails(new Details(42, 1_700_000_000_000L, Map.of("content-type", "a/b")));
        try (IndexStore store = open(dir)) {
            store.put(b("/r/2"), detailed);
            store.put(b("/r/1"), Record.live(AT, null));
            store.put(b("/r/3"), Record.pending(AT));
            store.put(b("/s"), detailed);
            List<String> seen = new ArrayList<>();
            try (IndexStore.Snapshot snapshot = store.snapshot()) {
                snapshot.scanRecords(b("/r/"), b("/r/1"), State.LIVE, (key, record) ->
                        seen.add(new String(key, StandardCharsets.UTF_8) + " " + record.details().size()));
            }
            assertEquals(List.of("/r/1 -1", "/r/2 42"), seen);
        }
    }

    @Test
    void keyCountsFollowEveryCommit() {
        try (IndexStore store = open(dir)) {
            assertTrue(store.compareAndSetUnsynced(b("/c1"), null, Record.pending(AT)));
            store.put(b("/c2"), Record.live(AT, null));
            store.put(b("/c1"), Record.live(AT, null).withState(State.UNLINKED));
            assertEquals(1, store.keyCounts().of(State.LIVE));
            assertEquals(1, store.keyCounts().of(State.UNLINKED));
            assertEquals(0, store.keyCounts().of(State.PENDING));
            assertTrue(store.compareAndSetUnsynced(b("/c2"), Record.live(AT, null), null));
            assertEquals(0, store.keyCounts().of(State.LIVE));
        }
    }

    @Test
    void aWriteOverAnUnlinkedValueKeepsItsRecord() {
        Record unlinked = Record.live(AT, null).withState(State.UNLINKED);
        try (IndexStore store = open(dir)) {
            store.put(b("/r"), Record.pendingOver(List.of("v3:3"), unlinked));
        }
        try (IndexStore store = open(dir)) {
            assertEquals(unlinked, store.get(b("/r")).replacing());
            assertEquals(List.of("/r"), store.unsettled().stream().map(e -> new String(e.key(), StandardCharsets.UTF_8)).toList());
        }
    }

    @Test
    void aClosedStoreRefusesWrites() {
        IndexStore store = open(dir);
        store.close();
        assertThrows(IllegalStateException.class, () -> store.put(b("/x"), Record.pending(AT)));
        assertFalse(store.isWritable());
        store.close(); // a second close is harmless
    }

    /**
     * Crash ordering: whatever a call returned from, durable or not, is there after the process
     * is killed (SIGKILL, as the OOM killer would), in the state it last had.
     */
    @Test
    void everyReturnedChangeSurvivesTheProcessBeingKilled() throws IOException, InterruptedException {
        Process child = StoreCrashChild.start(getClass(), dir);
        try {
            assertTrue(StoreCrashChild.awaitCommitted(child), "the child committed its changes");
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        try (IndexStore store = open(dir)) {
            for (int i = 0; i < StoreCrashChild.KEYS; i++) {
                assertEquals(Record.live(AT, null), store.get(b("/durable" + i)), "/durable" + i);
                assertEquals(Record.pending(AT), store.get(b("/unsynced" + i)), "/unsynced" + i);
                assertNull(store.get(b("/removed" + i)), "/removed" + i);
            }
            // A shared store leaves them to the killed process until its lease runs out.
            assertTrue(Await.until(() -> store.unsettled().size() == StoreCrashChild.KEYS, Duration.ofSeconds(20)),
                    "unsettled: " + store.unsettled().size());
        }
    }

    @Test
    void aProcessAdoptsItsOwnUnsettledRecordButNotAChangedOne() {
        try (IndexStore store = open(dir)) {
            Record pending = Record.pending(AT);
            assertTrue(store.compareAndSetUnsynced(b("/a"), null, pending));
            assertTrue(store.adopt(b("/a"), pending));
            assertFalse(store.adopt(b("/a"), pending.withState(State.DELETING)), "not the record it holds");
            assertTrue(store.compareAndSet(b("/a"), pending, Record.live(AT, null)));
            assertFalse(store.adopt(b("/a"), pending), "settled meanwhile");
            assertEquals(List.of(), store.orphans(), "one process: nothing is another's");
        }
    }

    @Test
    void aCompareAndSetFromTheWrongRecordChangesNothing() {
        try (IndexStore store = open(dir)) {
            Record live = Record.live(AT, null);
            assertTrue(store.compareAndSet(b("/w"), null, live));
            assertFalse(store.compareAndSetUnsynced(b("/w"), null, Record.pending(AT)), "a record is there");
            assertFalse(store.compareAndSet(b("/w"), live.withState(State.UNLINKED), null));
            assertEquals(live, store.get(b("/w")));
            assertEquals(1, store.keyCounts().of(State.LIVE));
        }
    }

    @Test
    void aLookUpAnswersWithTheRecordOrNullEvenWhenManyAreInFlight() throws Exception {
        try (IndexStore store = open(dir)) {
            for (int i = 0; i < 100; i += 2) {
                store.put(b("/l" + i), Record.live(AT, null));
            }
            List<CompletableFuture<Record>> answers = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                CompletableFuture<Record> answer = new CompletableFuture<>();
                store.lookUp(b("/l" + i), new IndexStore.Found() {
                    @Override
                    public void found(Record record) {
                        answer.complete(record);
                    }

                    @Override
                    public void failed(RuntimeException e) {
                        answer.completeExceptionally(e);
                    }
                });
                answers.add(answer);
            }
            for (int i = 0; i < 100; i++) {
                assertEquals(i % 2 == 0 ? Record.live(AT, null) : null, answers.get(i).get(10, TimeUnit.SECONDS), "/l" + i);
            }
        }
    }
}
