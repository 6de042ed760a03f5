package minikv.tools;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import minikv.store.IndexStore;
import minikv.store.KeyCounts;
import minikv.store.Record;
import minikv.tools.Databases.ToolFailure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code minikv migrate --from WHERE --to WHERE}: copies an index from one store to another (a
 * directory or a postgresql:// URL, either way), every record as it is, then checks the copy by
 * its counts per state.
 */
@Command(name = "migrate",
        mixinStandardHelpOptions = true,
        description = {
            "Copies an index database to another store, a directory (embedded Xodus) or a postgresql:// URL, either"
                    + " way: every record as it is (pending and deleting ones too, which the index settles when it starts"
                    + " on the copy). Then reopens the copy and checks its keys per state against the source.",
            "The index must be stopped. The target must be empty: a new directory, or a database without minikv"
                    + " keys. The volumes are not touched. A password comes from PGPASSWORD.",
            "Exit status: 0 the copy holds every key; 1 it could not be made or does not match (it says which)."})
public final class MigrateCommand implements Callable<Integer> {

    private static final int WRITERS = 8;

    @Option(names = "--from", required = true, paramLabel = "DIR|URL", description = "the index database to copy")
    String from;

    @Option(names = "--to", required = true, paramLabel = "DIR|URL", description = "where to copy it; must be empty")
    String to;

    @Override
    public Integer call() throws InterruptedException {
        Tools.quietLibraryLogs();
        try {
            return migrate();
        } catch (ToolFailure e) {
            System.err.println("migrate: " + e.getMessage());
            return 1;
        }
    }

    private int migrate() throws InterruptedException {
        long[] copied;
        try (IndexStore source = Databases.openExisting(from)) {
            try (IndexStore target = Databases.openEmpty(to)) {
                copied = copy(source, target);
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
                    System.out.println("migrate: NOT DONE: the copy does not match the source (" + String.join(", ", wrong)
                            + "); empty " + to + " and run again");
                    return 1;
                }
            }
        }
        long total = 0;
        StringBuilder perState = new StringBuilder();
        for (Record.State state : Record.State.values()) {
            total += copied[state.ordinal()];
            perState.append(perState.length() == 0 ? "" : ", ").append(copied[state.ordinal()]).append(' ')
                    .append(state.name().toLowerCase());
        }
        System.out.printf("migrate: %,d keys (%s) copied to %s and checked%n", total, perState, to);
        return 0;
    }

    /** Every key of every state, in key order, written by a few threads; returns the keys per state. */
    private static long[] copy(IndexStore source, IndexStore target) throws InterruptedException {
        long[] copied = new long[Record.State.values().length];
        try (Progress progress = Progress.start("migrate", "keys");
             Parallel writers = new Parallel("migrate", WRITERS);
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
                                throw new IllegalStateException("the target holds " + new String(key, StandardCharsets.UTF_8) + " already");
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
                    throw new InterruptedException("migrate was interrupted");
                }
            }
            writers.await();
        }
        return copied;
    }
}
