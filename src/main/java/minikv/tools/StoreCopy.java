package minikv.tools;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import minikv.store.IndexStore;
import minikv.store.KeyCounts;
import minikv.store.Record;
import minikv.tools.Databases.ToolFailure;

/**
 * Copies every record of one index store into another that is empty, as it is, then reopens
 * the copy and checks its keys per state against the source: what {@code migrate} does, and
 * {@code rebuild --db URL} after building in a directory.
 */
final class StoreCopy {

    private static final int WRITERS = 8;

    private StoreCopy() {
    }

    /**
     * @param to a directory or postgresql:// URL that must be empty
     * @return the keys copied, per state (indexed by ordinal)
     * @throws ToolFailure if the target is not empty, or the copy does not match
     */
    static long[] copyChecked(IndexStore source, String to, String label) throws InterruptedException {
        long[] copied;
        try (IndexStore target = Databases.openEmpty(to)) {
            copied = copy(source, target, label);
        }
        try (IndexStore copy = Databases.openExisting(to)) {
            List<String> wrong = new ArrayList<>();
            for (Record.State state : Record.State.values()) {
                long want = source.keyCounts().of(state);
                long have = copy.keyCounts().of(state);
                if (want != have) {
                    wrong.add(state + ": " + have + " of " + want);
                }
            }
            if (!wrong.isEmpty()) {
                throw new ToolFailure("NOT DONE: the copy in " + to + " does not match the source (" + String.join(", ", wrong)
                        + "); empty it and run again");
            }
        }
        return copied;
    }

    /** Every key of every state, in key order, written by a few threads; returns the keys per state. */
    private static long[] copy(IndexStore source, IndexStore target, String label) throws InterruptedException {
        long[] copied = new long[Record.State.values().length];
        try (Progress progress = Progress.start(label, "keys");
             Parallel writers = new Parallel(label, WRITERS);
             IndexStore.Snapshot snapshot = source.snapshot()) {
            KeyCounts counts = source.keyCounts();
            long total = 0;
            for (Record.State state : Record.State.values()) {
                total += counts.of(state);
            }
            progress.total(total);
            for (Record.State state : Record.State.values()) {
                snapshot.scanKeys(new byte[0], new byte[0], state, key -> {
                    Record record = source.get(key);
                    if (record == null) {
                        return true; // the index must be stopped; a key gone meanwhile is not copied
                    }
                    try {
                        writers.submit(() -> {
                            // Closing the target makes them all durable. It was empty: a key there already is a bug.
                            if (!target.compareAndSetUnsynced(key, null, record)) {
                                throw new IllegalStateException("the target holds " + new String(key, StandardCharsets.UTF_8)
                                        + " already");
                            }
                            progress.add(1);
                        });
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                    copied[state.ordinal()]++;
                    return true;
                });
                if (Thread.interrupted()) {
                    throw new InterruptedException(label + " was interrupted");
                }
            }
            writers.await();
        }
        return copied;
    }
}
