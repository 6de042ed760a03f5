package minikv.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import jetbrains.exodus.ArrayByteIterable;
import jetbrains.exodus.ByteIterable;
import jetbrains.exodus.env.Cursor;
import jetbrains.exodus.env.Environment;
import jetbrains.exodus.env.EnvironmentConfig;
import jetbrains.exodus.env.Environments;
import jetbrains.exodus.env.Store;
import jetbrains.exodus.env.StoreConfig;
import jetbrains.exodus.env.Transaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index store in an embedded Xodus environment, the default: key bytes (UTF-8, so byte
 * order is key order) to encoded {@link Record}s in one store, and the keys whose record is
 * PENDING or DELETING in a second, so that {@link #unsettled} finds them at startup without a
 * full scan. Writes go through one {@link GroupCommit}; syncs through {@link XodusLogSync}.
 * {@link #keyCounts} is stored in a third, written in every commit that moves it, so that
 * opening an index of any size reads it rather than scanning (an index from before it was stored
 * is counted once, by a scan, when first opened). A {@link KeyFilter} answers most lookups of
 * missing keys without a transaction; it is filled by a scan in the background, and answers only
 * once that is done. Only one process may have the directory open.
 */
public final class XodusStore implements IndexStore {

    private static final Logger log = LoggerFactory.getLogger(XodusStore.class);
    /** Enough to amortise one fsync, small enough that one batch never holds a commit long. */
    private static final int MAX_BATCH = 1024;
    private static final ByteIterable NOTHING = new ArrayByteIterable(new byte[0]);
    private static final ByteIterable COUNTS = new ArrayByteIterable("counts".getBytes(StandardCharsets.US_ASCII));
    /** Keys per read-only transaction of the filling scan: one held throughout would keep Xodus from reclaiming its log. */
    private static final int FILL_PAGE = 100_000;

    private final Environment env;
    private final Store records;
    private final Store unsettled;
    /** Small values about the whole index: {@link #COUNTS}. */
    private final Store meta;
    private final KeyCounts keyCounts = new KeyCounts();
    private final KeyFilter keyFilter;
    private final XodusLogSync logSync;
    private final GroupCommit<Mutation> commits;
    /** Fills {@link #keyFilter}; null when opening counted the keys and filled it on the way. */
    private final Thread filler;
    private volatile boolean closing;

    private XodusStore(Environment env) {
        this.env = env;
        this.logSync = new XodusLogSync(env);
        this.records = env.computeInTransaction(
                txn -> env.openStore("records", StoreConfig.WITHOUT_DUPLICATES_WITH_PREFIXING, txn));
        this.unsettled = env.computeInTransaction(
                txn -> env.openStore("unsettled", StoreConfig.WITHOUT_DUPLICATES_WITH_PREFIXING, txn));
        this.meta = env.computeInTransaction(txn -> env.openStore("meta", StoreConfig.WITHOUT_DUPLICATES, txn));
        ByteIterable stored = env.computeInReadonlyTransaction(txn -> meta.get(txn, COUNTS));
        long held = env.computeInReadonlyTransaction(txn -> records.count(txn));
        if (stored != null) {
            keyCounts.apply(KeyCounts.decode(stored.getBytesUnsafe(), stored.getLength()));
            this.keyFilter = KeyFilter.toFill(held);
            this.filler = new Thread(this::fillFilter, "index-store-filter");
        } else {
            this.keyFilter = KeyFilter.forKeys(held);
            this.filler = null;
            countKeys();
        }
        this.commits = new GroupCommit<>("index-store", this::apply, logSync, MAX_BATCH);
        if (filler != null) {
            filler.setDaemon(true);
            filler.start();
        }
    }

    /**
     * Opens (creating if needed) the index in {@code dir}. Only one process may have it open.
     *
     * @throws IllegalStateException with a readable reason when it cannot be opened
     */
    public static XodusStore open(Path dir) {
        try {
            return new XodusStore(Environments.newInstance(dir.toFile(), config()));
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot open index database " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * How the index opens its environment. Every environment of one JVM must use it: they share
     * Xodus's cache, whose page size the first one fixes.
     */
    static EnvironmentConfig config() {
        return new EnvironmentConfig()
                .setLogDurableWrite(false) // the syncer syncs the commits that need it (see sync)
                .setEnvCloseForcedly(true) // shutdown must not wait for a listing still streaming
                .setEnvGatherStatistics(false)
                // A lookup reads one small record: caching 4 KiB around it rather than Xodus's
                // default 64 KiB keeps 16 times more of a large index in the same memory (10 M
                // keys: 33,000 rather than 14,000 GETs/s in a 512 MiB cache; scripts/bench-scale).
                // Only the read size changes; a log written with either is read with the other.
                .setLogCachePageSize(4096)
                // A quarter of the heap, not half: the rest is young garbage, which the GC needs
                // room for (at half of a 1 GiB heap, GETs ran 3 times slower).
                .setMemoryUsagePercentage(25);
    }

    @Override
    public Record get(byte[] key) {
        if (!keyFilter.mightHold(key)) {
            return null;
        }
        Transaction txn = env.beginReadonlyTransaction();
        try {
            ByteIterable value = records.get(txn, new ArrayByteIterable(key));
            return value == null ? null : Record.decode(value.getBytesUnsafe(), value.getLength());
        } finally {
            txn.abort();
        }
    }

    @Override
    public void put(byte[] key, Record record) {
        commits.commit(Mutation.of(key, record), true);
    }

    @Override
    public void remove(byte[] key) {
        commits.commit(Mutation.of(key, null), true);
    }

    /** Checked in the writer's transaction, in queue order: a batch sees its own earlier changes. */
    @Override
    public boolean compareAndSet(byte[] key, Record expected, Record replacement) {
        Mutation m = new Mutation(key, replacement, true, expected);
        commits.commit(m, true);
        return m.applied;
    }

    @Override
    public boolean compareAndSetUnsynced(byte[] key, Record expected, Record replacement) {
        Mutation m = new Mutation(key, replacement, true, expected);
        commits.commit(m, false);
        return m.applied;
    }

    /** One process has the directory open: every record is its own. */
    @Override
    public boolean adopt(byte[] key, Record unsettled) {
        return Objects.equals(get(key), unsettled);
    }

    @Override
    public List<Entry> orphans() {
        return List.of();
    }

    /** A read takes no lock and is served from Xodus's cache or the page cache (see GetHandler). */
    @Override
    public boolean getMayWait() {
        return false;
    }

    @Override
    public void lookUp(byte[] key, Found then) {
        Record record;
        try {
            record = get(key);
        } catch (RuntimeException e) {
            then.failed(e);
            return;
        }
        then.found(record);
    }

    /** How many syncs have been made (for tests). */
    long syncs() {
        return commits.syncs();
    }

    /** True once the key filter answers lookups (for tests). */
    boolean filterFilled() {
        return keyFilter.isFilled();
    }

    /** How many syncs needed XodusLogSync's fallback (for tests). */
    long syncFallbacks() {
        return logSync.fallbacks();
    }

    @Override
    public boolean isWritable() {
        return commits.isOpen();
    }

    @Override
    public KeyCounts keyCounts() {
        return keyCounts;
    }

    @Override
    public Snapshot snapshot() {
        return new XodusSnapshot(env.beginReadonlyTransaction(), records);
    }

    @Override
    public List<Entry> unsettled() {
        List<Entry> found = new ArrayList<>();
        env.executeInReadonlyTransaction(txn -> {
            try (Cursor cursor = unsettled.openCursor(txn)) {
                while (cursor.getNext()) {
                    ByteIterable key = cursor.getKey();
                    ByteIterable value = records.get(txn, key);
                    if (value != null) {
                        found.add(new Entry(bytes(key), Record.decode(value.getBytesUnsafe(), value.getLength())));
                    }
                }
            }
        });
        return found;
    }

    /** Applies and syncs what is already queued, stops the writer and closes the environment. */
    @Override
    public void close() {
        if (!commits.isOpen()) {
            return;
        }
        closing = true;
        if (filler != null) {
            try {
                filler.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        commits.close();
        env.close();
    }

    /** One change; a conditional one applies only if the key's record is still {@code expected}. */
    private static final class Mutation {
        final byte[] key;
        final Record record;
        final boolean conditional;
        final Record expected;
        /** Set by the writer before the commit returns to the caller. */
        volatile boolean applied;

        Mutation(byte[] key, Record record, boolean conditional, Record expected) {
            this.key = key;
            this.record = record;
            this.conditional = conditional;
            this.expected = expected;
        }

        static Mutation of(byte[] key, Record record) {
            return new Mutation(key, record, false, null);
        }
    }

    private void apply(List<Mutation> batch) {
        Transaction txn = env.beginExclusiveTransaction();
        KeyCounts.Delta counted = new KeyCounts.Delta();
        try {
            for (Mutation m : batch) {
                ArrayByteIterable key = new ArrayByteIterable(m.key);
                ByteIterable before = records.get(txn, key);
                if (m.conditional && !Objects.equals(m.expected,
                        before == null ? null : Record.decode(before.getBytesUnsafe(), before.getLength()))) {
                    continue; // not applied: the caller is told so
                }
                m.applied = true;
                counted.move(before == null ? null : Record.stateOf(before.getBytesUnsafe(), before.getLength()),
                        m.record == null ? null : m.record.state());
                if (m.record == null) {
                    records.delete(txn, key);
                    unsettled.delete(txn, key);
                } else {
                    keyFilter.add(m.key); // before the commit makes the record visible
                    records.put(txn, key, new ArrayByteIterable(m.record.encode()));
                    if (m.record.unsettled()) {
                        unsettled.put(txn, key, NOTHING);
                    } else {
                        unsettled.delete(txn, key);
                    }
                }
            }
            if (!counted.isEmpty()) {
                meta.put(txn, COUNTS, new ArrayByteIterable(keyCounts.encodeWith(counted)));
            }
            if (!txn.commit()) {
                throw new IllegalStateException("index commit was refused");
            }
            keyCounts.apply(counted);
        } finally {
            if (!txn.isFinished()) {
                txn.abort();
            }
        }
    }

    /**
     * Before the writer starts, for an index from before the counts were stored: the one full
     * scan, which counts the keys (stored, so that it is never needed again) and fills the filter.
     */
    private void countKeys() {
        KeyCounts.Delta all = new KeyCounts.Delta();
        env.executeInReadonlyTransaction(txn -> {
            try (Cursor cursor = records.openCursor(txn)) {
                while (cursor.getNext()) {
                    ByteIterable key = cursor.getKey();
                    keyFilter.add(key.getBytesUnsafe(), key.getLength());
                    ByteIterable value = cursor.getValue();
                    all.move(null, Record.stateOf(value.getBytesUnsafe(), value.getLength()));
                }
            }
        });
        env.executeInExclusiveTransaction(txn -> meta.put(txn, COUNTS, new ArrayByteIterable(keyCounts.encodeWith(all))));
        keyCounts.apply(all);
    }

    /**
     * Adds every key the index held when it opened to the filter, a page per transaction, while
     * the store serves. The writer adds each key it commits from the start, so once this scan is
     * done every key that has a record has been added by one or the other.
     */
    private void fillFilter() {
        long began = System.nanoTime();
        long[] added = {0};
        byte[] start = new byte[0];
        while (!closing) {
            byte[] from = start;
            byte[] last = env.computeInReadonlyTransaction(txn -> {
                byte[] seen = null;
                try (Cursor cursor = records.openCursor(txn)) {
                    if (cursor.getSearchKeyRange(new ArrayByteIterable(from)) == null) {
                        return null;
                    }
                    int n = 0;
                    do {
                        ByteIterable key = cursor.getKey();
                        keyFilter.add(key.getBytesUnsafe(), key.getLength());
                        added[0]++;
                        if (++n == FILL_PAGE) {
                            seen = bytes(key);
                            break;
                        }
                    } while (cursor.getNext());
                }
                return seen;
            });
            if (last == null) {
                keyFilter.filled();
                log.info("key filter filled: {} keys in {} s; lookups of missing keys answer without a transaction",
                        String.format("%,d", added[0]), String.format("%.1f", (System.nanoTime() - began) / 1e9));
                return;
            }
            start = Arrays.copyOf(last, last.length + 1); // the smallest key after it
        }
    }

    static byte[] bytes(ByteIterable it) {
        return Arrays.copyOf(it.getBytesUnsafe(), it.getLength());
    }
}
