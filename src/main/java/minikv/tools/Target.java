package minikv.tools;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Set;
import minikv.cluster.KeyReport;
import minikv.cluster.ReplicaFile;
import minikv.cluster.VolumeClient;
import minikv.placement.Placement;
import minikv.store.Record;
import picocli.CommandLine.Option;

/**
 * What rebalance and verify work on: the index's database directly ({@code --db}, the index
 * stopped; {@link DatabaseTarget}) or the running index ({@code --index}, which does each key's
 * work under its claim; {@link IndexTarget}). Both walk keys in order and report per key alike.
 */
interface Target extends AutoCloseable {

    /** {@code --db DIR} or {@code --index URL}, exactly one. */
    final class Where {
        @Option(names = "--db", paramLabel = "DIR|URL",
                description = "the index database (a directory or a postgresql:// URL), with the index stopped")
        String db;

        @Option(names = "--index", paramLabel = "URL",
                description = "the running index, e.g. http://localhost:3000: it does each key's work itself, so writes go on")
        URI index;
    }

    static Target open(Where where, VolumeClient client, Placement placement) {
        if (where.db != null) {
            return new DatabaseTarget(Databases.openExisting(where.db), client, placement);
        }
        return new IndexTarget(where.index);
    }

    @FunctionalInterface
    interface KeyVisitor {
        /** @param record the key's record as the walk read it, or null where the walk reads keys only (online) */
        void visit(byte[] key, Record record) throws InterruptedException;
    }

    /**
     * Visits every key in {@code state} (LIVE or UNLINKED) after {@code after} (null: from the
     * first), in key order, a page at a time.
     */
    void keys(Record.State state, byte[] after, KeyVisitor visitor) throws IOException, InterruptedException;

    /** How many LIVE and UNLINKED keys there are, or -1 if that cannot be known cheaply. */
    long count();

    KeyReport rebalance(byte[] key, boolean dryRun);

    /** @param walked the key's record as the walk read it, or null: looked up (online: under the key's claim) */
    KeyReport verify(byte[] key, Record walked, boolean fast);

    KeyReport repair(byte[] key, boolean fast);

    /**
     * Of the files a crawl found for {@code key}, those that its record may not account for
     * (to be settled by {@link #removeStrays}, which looks again, under the key's claim online).
     */
    Strays strays(byte[] key, List<ReplicaFile> files) throws IOException;

    /**
     * @param files   files that may be strays
     * @param certain false when they are only candidates because the record's locations could
     *                not be seen (an unlinked key, online): the safety limit on how many files a
     *                repair may remove counts only certain strays
     */
    record Strays(List<ReplicaFile> files, boolean certain) {}

    KeyReport removeStrays(byte[] key, List<ReplicaFile> files, boolean fast);

    /** The locations of a live key's replicas; empty if it has none. */
    List<String> locations(byte[] key) throws IOException;

    /**
     * Whether {@code key} has a record, live or unlinked (offline: or with a change under way;
     * online a key whose write has not finished looks absent). Any doubt answers true.
     */
    boolean hasRecord(byte[] key) throws IOException;

    /** Deletes a live key and its replicas, as a DELETE does. */
    KeyReport erase(byte[] key);

    /** Keys whose record is PENDING or DELETING; empty when the index settles them itself. */
    List<byte[]> unsettled();

    /** The volumes that the first few hundred keys' records name: to check a tool's VOLUME list against. */
    Set<String> sampleVolumes() throws IOException, InterruptedException;

    @Override
    void close();
}
