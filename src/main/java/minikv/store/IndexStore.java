package minikv.store;

import java.nio.file.Path;
import java.util.List;

/**
 * What the index needs of its database: key bytes (UTF-8, so byte order is key order) to
 * {@link Record}. Every implementation passes {@code IndexStoreContract}.
 *
 * <ul>
 *   <li>{@link #get} and {@link #snapshot} read committed state and never wait for writers.</li>
 *   <li>{@link #put}, {@link #remove} and {@link #compareAndSet} return only once the change is
 *       durable: it survives a machine crash. {@link #compareAndSetUnsynced} returns once it is
 *       committed: readers see it and it survives the process being killed, but only a later
 *       durable change (or closing) makes it survive a machine crash. Changes become durable in
 *       the order they were committed.</li>
 *   <li>{@link #unsettled} finds the PENDING and DELETING keys without a full scan.</li>
 *   <li>{@link #keyCounts} is current as of this process's last commit (a shared store adds
 *       the other processes' commits within a second or so).</li>
 * </ul>
 *
 * <p>Several index processes may share one store ({@link PostgresStore}). The index changes a
 * record only by compare-and-set from the record it read, so that of two processes changing one
 * key exactly one succeeds. A PENDING or DELETING record belongs to the process that wrote it:
 * no other may change it until that process has stopped running and another has {@link
 * #adopt adopted} it. An embedded store has one process, which owns everything.
 * The plain {@link #put} and {@link #remove} are for tools that own the store (rebuild, migrate).
 */
public interface IndexStore extends AutoCloseable {

    /**
     * Opens (creating if needed) the index in {@code dir}, an embedded Xodus directory.
     *
     * @throws IllegalStateException with a readable reason when it cannot be opened
     */
    static IndexStore open(Path dir) {
        return XodusStore.open(dir);
    }

    /**
     * Opens the index {@code where} names: a {@code postgresql://} URL (see {@link
     * PostgresStore#open}), or else a directory for the embedded Xodus store.
     *
     * @throws IllegalStateException with a readable reason when it cannot be opened
     */
    static IndexStore open(String where) {
        return PostgresStore.names(where) ? PostgresStore.open(where) : XodusStore.open(Path.of(where));
    }

    /** The record of {@code key}, or null. */
    Record get(byte[] key);

    /** Stores {@code record} for {@code key}; returns once it is durable. */
    void put(byte[] key, Record record);

    /** Forgets {@code key}; returns once that is durable. */
    void remove(byte[] key);

    /**
     * Replaces the record of {@code key} with {@code replacement} (null: removes it), but only
     * if its record is still {@code expected} (null: it has none) and, if that is PENDING or
     * DELETING, it is this process's. Of concurrent calls with the same expectation exactly one
     * succeeds.
     *
     * @return true once the change is durable; false, changing nothing, if the record was not {@code expected}
     * @throws StoreUnavailable if the database cannot be reached, or this process's hold on its records has lapsed
     */
    boolean compareAndSet(byte[] key, Record expected, Record replacement);

    /** As {@link #compareAndSet}, but returns once committed: for changes a machine crash may safely undo. */
    boolean compareAndSetUnsynced(byte[] key, Record expected, Record replacement);

    /**
     * Takes charge of {@code key}'s PENDING or DELETING record, so that this process may settle
     * it: true if it is this process's already, or its writer has stopped running (it is this
     * process's from now on); false if it is no longer {@code unsettled}, or another running
     * process is writing or deleting the key right now.
     */
    boolean adopt(byte[] key, Record unsettled);

    /**
     * PENDING and DELETING records whose writer has stopped running since this store opened:
     * another index process sharing it died. Empty for a store only one process opens, whose
     * earlier process's records {@link #unsettled} gives at startup.
     */
    List<Entry> orphans();

    /**
     * False once {@link #close} has begun, and while a shared store cannot be sure that its
     * records are still this process's (its database has been unreachable too long): nothing is
     * written then.
     */
    boolean isWritable();

    /** True if {@link #get} may wait on the network, so that an IO thread must not call it: it calls {@link #lookUp}. */
    boolean getMayWait();

    /**
     * Looks {@code key} up without waiting on the caller's thread: {@code then} gets the record
     * (or null) or the failure, at once on this thread if {@link #getMayWait} is false, else
     * soon on a thread of the store's own, after a query it may share with other lookups.
     */
    void lookUp(byte[] key, Found then);

    /** What {@link #lookUp} hands its answer to. */
    interface Found {
        void found(Record record);

        void failed(RuntimeException e);
    }

    /** Keys per state, as of the last commit. */
    KeyCounts keyCounts();

    /** A consistent read-only view, for reads that must agree with each other. Close it. */
    Snapshot snapshot();

    /** Every key whose record is PENDING or DELETING and not another running process's, with its record. */
    List<Entry> unsettled();

    /** Applies and makes durable what is already committed or queued, then closes. */
    @Override
    void close();

    record Entry(byte[] key, Record record) {}

    /** Receives keys in order; returns false to stop the scan. */
    @FunctionalInterface
    interface KeyVisitor {
        boolean visit(byte[] key);
    }

    /** Receives keys in order with their records; returns false to stop the scan. */
    @FunctionalInterface
    interface RecordVisitor {
        boolean visit(byte[] key, Record record);
    }

    /** One committed version of the whole store, throughout. */
    interface Snapshot extends AutoCloseable {
        /**
         * Visits, in byte order, the keys that start with {@code prefix}, are not before
         * {@code start} (may be empty) and whose record is listed as {@code state}
         * ({@link Record.State#listedAs}: a RENAMING key counts as UNLINKED).
         */
        void scanKeys(byte[] prefix, byte[] start, Record.State state, KeyVisitor visitor);

        /** As {@link #scanKeys}, with each key's record. */
        void scanRecords(byte[] prefix, byte[] start, Record.State state, RecordVisitor visitor);

        @Override
        void close();
    }
}
