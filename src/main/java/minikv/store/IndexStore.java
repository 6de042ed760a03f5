package minikv.store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import jetbrains.exodus.ArrayByteIterable;
import jetbrains.exodus.ByteIterable;
import jetbrains.exodus.env.Cursor;
import jetbrains.exodus.env.Environment;
import jetbrains.exodus.env.EnvironmentConfig;
import jetbrains.exodus.env.EnvironmentImpl;
import jetbrains.exodus.env.Environments;
import jetbrains.exodus.env.Store;
import jetbrains.exodus.env.StoreConfig;
import jetbrains.exodus.env.Transaction;

/**
 * The index on disk: key bytes (UTF-8, so byte order is key order) to {@link Record}, in an
 * embedded Xodus environment.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #get} and {@link #snapshot} read committed state and never wait for writers.</li>
 *   <li>{@link #put} and {@link #remove} return only once the change is durable (fsynced).
 *       {@link #putUnsynced} and {@link #removeUnsynced} return once it is committed and written
 *       to the OS: readers see it and it survives the process being killed, but only a later
 *       sync (any durable change's, or closing) makes it survive a machine crash.</li>
 *   <li>Concurrent callers share commits: one writer thread applies everything queued in one
 *       transaction (group commit) and hands the changes that asked to be durable to a syncer
 *       thread, which syncs once for all it has been handed. The log is written in order, so
 *       one sync covers every earlier commit; and the writer goes on committing meanwhile, so
 *       a change that needs no sync never waits for one.</li>
 *   <li>Keys whose record is PENDING or DELETING are also kept in a second store, so that
 *       {@link #unsettled} finds them at startup without scanning the whole index.</li>
 *   <li>{@link #keyCounts} is counted by one scan on open, then kept current by the writer.
 *       The same scan fills a {@link KeyFilter}, which answers most lookups of missing keys
 *       without a transaction.</li>
 * </ul>
 * Callers serialise changes to one key themselves; the store does not compare-and-set.
 */
public final class IndexStore implements AutoCloseable {

    /** Enough to amortise one fsync, small enough that one batch never holds a commit long. */
    private static final int MAX_BATCH = 1024;
    private static final ByteIterable NOTHING = new ArrayByteIterable(new byte[0]);

    private final Environment env;
    private final EnvironmentImpl envImpl;
    private final Store records;
    private final Store unsettled;
    private final KeyCounts keyCounts = new KeyCounts();
    private final KeyFilter keyFilter;
    private final BlockingQueue<Mutation> queue = new LinkedBlockingQueue<>();
    /** Committed changes waiting for a sync. */
    private final BlockingQueue<Mutation> toSync = new LinkedBlockingQueue<>();
    private final Mutation closeMarker = new Mutation(null, null, false);
    private final AtomicLong syncs = new AtomicLong();
    private final Thread writer;
    private final Thread syncer;
    private final Object submitLock = new Object();
    private boolean closed;

    private IndexStore(Environment env) {
        this.env = env;
        this.envImpl = (EnvironmentImpl) env;
        this.records = env.computeInTransaction(
                txn -> env.openStore("records", StoreConfig.WITHOUT_DUPLICATES_WITH_PREFIXING, txn));
        this.unsettled = env.computeInTransaction(
                txn -> env.openStore("unsettled", StoreConfig.WITHOUT_DUPLICATES_WITH_PREFIXING, txn));
        this.keyFilter = env.computeInReadonlyTransaction(txn -> KeyFilter.forKeys(records.count(txn)));
        scanKeys();
        this.writer = new Thread(this::writeLoop, "index-store-writer");
        this.syncer = new Thread(this::syncLoop, "index-store-syncer");
        writer.start();
        syncer.start();
    }

    /**
     * Opens (creating if needed) the index in {@code dir}. Only one process may have it open.
     *
     * @throws IllegalStateException with a readable reason when it cannot be opened
     */
    public static IndexStore open(Path dir) {
        EnvironmentConfig config = new EnvironmentConfig()
                .setLogDurableWrite(false) // the syncer syncs the commits that need it (see sync)
                .setEnvCloseForcedly(true) // shutdown must not wait for a listing still streaming
                .setEnvGatherStatistics(false);
        try {
            return new IndexStore(Environments.newInstance(dir.toFile(), config));
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot open index database " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The record of {@code key}, or null. */
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

    /** Stores {@code record} for {@code key}; returns once it is durable. */
    public void put(byte[] key, Record record) {
        commit(new Mutation(key, record, true));
    }

    /** Forgets {@code key}; returns once that is durable. */
    public void remove(byte[] key) {
        commit(new Mutation(key, null, true));
    }

    /**
     * Stores {@code record} for {@code key}; returns once it is committed, without waiting for
     * a sync: for changes that a machine crash may safely undo.
     */
    public void putUnsynced(byte[] key, Record record) {
        commit(new Mutation(key, record, false));
    }

    /**
     * Forgets {@code key}; returns once that is committed, without waiting for a sync: for
     * changes that a machine crash may safely undo.
     */
    public void removeUnsynced(byte[] key) {
        commit(new Mutation(key, null, false));
    }

    /** How many syncs the syncer has made (for tests). */
    long syncs() {
        return syncs.get();
    }

    /** False once {@link #close} has begun: nothing more can be written. */
    public boolean isOpen() {
        synchronized (submitLock) {
            return !closed;
        }
    }

    /** Keys per state, as of the last commit. */
    public KeyCounts keyCounts() {
        return keyCounts;
    }

    /** A consistent read-only view, for reads that must agree with each other. Close it. */
    public Snapshot snapshot() {
        return new Snapshot(env.beginReadonlyTransaction());
    }

    /** Every key whose record is PENDING or DELETING, with its record. */
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

    /** Applies what is already queued, stops the writer and closes the environment. */
    @Override
    public void close() {
        synchronized (submitLock) {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(closeMarker);
        }
        boolean interrupted = false;
        while (writer.isAlive() || syncer.isAlive()) { // the writer stops the syncer when it stops
            try {
                writer.join();
                syncer.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        env.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    public record Entry(byte[] key, Record record) {}

    /** Receives keys in order; returns false to stop the scan. */
    @FunctionalInterface
    public interface KeyVisitor {
        boolean visit(byte[] key);
    }

    /** A read-only transaction; Xodus read transactions see one committed version throughout. */
    public final class Snapshot implements AutoCloseable {
        private final Transaction txn;

        private Snapshot(Transaction txn) {
            this.txn = txn;
        }

        /**
         * Visits, in byte order, the keys that start with {@code prefix}, are not before
         * {@code start} (may be empty) and whose record is in {@code state}.
         */
        public void scanKeys(byte[] prefix, byte[] start, Record.State state, KeyVisitor visitor) {
            byte[] from = Arrays.compareUnsigned(start, prefix) > 0 ? start : prefix;
            try (Cursor cursor = records.openCursor(txn)) {
                if (cursor.getSearchKeyRange(new ArrayByteIterable(from)) == null) {
                    return;
                }
                do {
                    byte[] key = bytes(cursor.getKey());
                    if (!startsWith(key, prefix)) {
                        return;
                    }
                    ByteIterable value = cursor.getValue();
                    if (Record.stateOf(value.getBytesUnsafe(), value.getLength()) == state && !visitor.visit(key)) {
                        return;
                    }
                } while (cursor.getNext());
            }
        }

        @Override
        public void close() {
            txn.abort();
        }
    }

    private record Mutation(byte[] key, Record record, boolean sync, CompletableFuture<Void> done) {
        Mutation(byte[] key, Record record, boolean sync) {
            this(key, record, sync, new CompletableFuture<>());
        }
    }

    private void commit(Mutation mutation) {
        synchronized (submitLock) {
            if (closed) {
                throw new IllegalStateException("the index store is closed");
            }
            queue.add(mutation);
        }
        try {
            mutation.done.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /**
     * The one writer: drains the queue and applies a batch in one transaction; then answers the
     * changes that need no sync and hands the others to the syncer.
     */
    private void writeLoop() {
        List<Mutation> batch = new ArrayList<>();
        boolean closing = false;
        while (!closing) {
            batch.clear();
            batch.add(takeUninterruptibly(queue));
            queue.drainTo(batch, MAX_BATCH - 1);
            closing = batch.remove(closeMarker); // nothing is queued after the marker
            if (batch.isEmpty()) {
                continue;
            }
            try {
                apply(batch);
            } catch (RuntimeException e) {
                batch.forEach(m -> m.done.completeExceptionally(e));
                continue;
            }
            for (Mutation m : batch) {
                if (m.sync) {
                    toSync.add(m);
                } else {
                    m.done.complete(null);
                }
            }
        }
        toSync.add(closeMarker);
    }

    /** The syncer: one sync for every committed change handed over since the last one. */
    private void syncLoop() {
        List<Mutation> committed = new ArrayList<>();
        boolean closing = false;
        while (!closing) {
            committed.clear();
            committed.add(takeUninterruptibly(toSync));
            toSync.drainTo(committed);
            closing = committed.remove(closeMarker); // the writer hands over nothing after it
            if (committed.isEmpty()) {
                continue;
            }
            try {
                sync();
                committed.forEach(m -> m.done.complete(null));
            } catch (RuntimeException e) {
                committed.forEach(m -> m.done.completeExceptionally(e));
            }
        }
    }

    /**
     * Makes every commit made so far durable. It runs beside the writer's next commits: the
     * log's sync forces its current file (each commit has written its pages to it before being
     * handed over), and Xodus syncs a file before moving on to the next, so when the writer has
     * moved on meanwhile, the file that held these commits is synced already. If the log's sync
     * fails, a sync in step with commits (under Xodus's commit lock) decides.
     */
    private void sync() {
        try {
            envImpl.getLog().sync();
        } catch (RuntimeException e) {
            envImpl.flushAndSync();
        }
        syncs.incrementAndGet();
    }

    private void apply(List<Mutation> batch) {
        Transaction txn = env.beginExclusiveTransaction();
        KeyCounts.Delta counted = new KeyCounts.Delta();
        try {
            for (Mutation m : batch) {
                ArrayByteIterable key = new ArrayByteIterable(m.key);
                ByteIterable before = records.get(txn, key);
                counted.move(before == null ? null : Record.stateOf(before.getBytesUnsafe(), before.getLength()),
                        m.record == null ? null : m.record.state());
                if (m.record == null) {
                    records.delete(txn, key);
                    unsettled.delete(txn, key);
                } else {
                    keyFilter.add(m.key); // before the commit makes the record visible
                    records.put(txn, key, new ArrayByteIterable(m.record.encode()));
                    Record.State state = m.record.state();
                    if (state == Record.State.PENDING || state == Record.State.DELETING) {
                        unsettled.put(txn, key, NOTHING);
                    } else {
                        unsettled.delete(txn, key);
                    }
                }
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

    /** Before the writer starts: the one full scan; from then on commits keep counts and filter. */
    private void scanKeys() {
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
        keyCounts.apply(all);
    }

    private static Mutation takeUninterruptibly(BlockingQueue<Mutation> from) {
        while (true) {
            try {
                return from.take();
            } catch (InterruptedException e) {
                // Only close() ends the writer and syncer: queued callers are waiting for them.
            }
        }
    }

    private static byte[] bytes(ByteIterable it) {
        return Arrays.copyOf(it.getBytesUnsafe(), it.getLength());
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}
