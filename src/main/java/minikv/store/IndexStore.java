package minikv.store;

import java.nio.file.Path;
import java.util.List;

/**
 * What the index needs of its database: key bytes (UTF-8, so byte order is key order) to
 * {@link Record}. Every implementation passes {@code IndexStoreContract}.
 *
 * <ul>
 *   <li>{@link #get} and {@link #snapshot} read committed state and never wait for writers.</li>
 *   <li>{@link #put} and {@link #remove} return only once the change is durable: it survives a
 *       machine crash. {@link #putUnsynced} and {@link #removeUnsynced} return once it is
 *       committed: readers see it and it survives the process being killed, but only a later
 *       durable change (or closing) makes it survive a machine crash. Changes become durable in
 *       the order they were committed.</li>
 *   <li>{@link #unsettled} finds the PENDING and DELETING keys without a full scan.</li>
 *   <li>{@link #keyCounts} is current as of the last commit.</li>
 *   <li>{@link #compareAndSet} changes a record only if it is still the one expected: of
 *       several indexes sharing one store, exactly one claims a key.</li>
 * </ul>
 * Within one index, its KeyClaims serialise the changes to a key, so plain puts suffice there.
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

    /** Stores {@code record} for {@code key}; returns once committed: for changes a machine crash may safely undo. */
    void putUnsynced(byte[] key, Record record);

    /** Forgets {@code key}; returns once committed: for changes a machine crash may safely undo. */
    void removeUnsynced(byte[] key);

    /**
     * Replaces the record of {@code key} with {@code replacement} (null: removes it), but only
     * if its record is still {@code expected} (null: it has none). Of concurrent calls with the
     * same expectation exactly one succeeds.
     *
     * @return true once the change is durable; false, changing nothing, if the record was not {@code expected}
     */
    boolean compareAndSet(byte[] key, Record expected, Record replacement);

    /** False once {@link #close} has begun: nothing more can be written. */
    boolean isOpen();

    /** Keys per state, as of the last commit. */
    KeyCounts keyCounts();

    /** A consistent read-only view, for reads that must agree with each other. Close it. */
    Snapshot snapshot();

    /** Every key whose record is PENDING or DELETING, with its record. */
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

    /** One committed version of the whole store, throughout. */
    interface Snapshot extends AutoCloseable {
        /**
         * Visits, in byte order, the keys that start with {@code prefix}, are not before
         * {@code start} (may be empty) and whose record is in {@code state}.
         */
        void scanKeys(byte[] prefix, byte[] start, Record.State state, KeyVisitor visitor);

        @Override
        void close();
    }
}
