package minikv.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The index in a PostgreSQL-protocol database, which any number of index processes share (see
 * {@link PostgresSchema} for the tables). Only standard SQL and {@code ON CONFLICT}, which
 * CockroachDB and YugabyteDB also run (tested here on PostgreSQL only).
 *
 * <p>Each change is one transaction with the key's row locked, and returns once the server has
 * made it durable (with a synchronous standby, once the standby has too). Unsynced changes
 * are durable too: what makes them safe on an embedded store is that a machine crash that
 * loses one takes the index and its in-flight writes down with it; a database failover does
 * not, and a PUT that went on writing after its PENDING record was lost would leave files
 * that no record accounts for. A serialization failure or deadlock (SQLSTATE 40001, 40P01) is
 * retried.
 *
 * <p>A PENDING or DELETING row carries the id of the process that owns it, and only that
 * process changes it, while its lease ({@link PostgresLease}) runs. Once the lease has run out,
 * any process may adopt the row and settle it. A process that cannot renew its lease stops
 * writing before the lease can run out.
 *
 * <p>{@link #keyCounts} follows this process's own commits at once and the others' within
 * {@link PostgresLease#RENEW_EVERY}: each renewal of the lease counts theirs anew.
 */
public final class PostgresStore implements IndexStore {

    private static final int POOL_SIZE = 8;
    private static final int SCAN_FETCH = 1000;
    private static final String PREFIX = "postgresql://";

    private final PostgresPool pool;
    private final PostgresPool leasePool;
    private final PostgresLease lease;
    private final PostgresReads reads;
    private final KeyCounts keyCounts = new KeyCounts();
    private volatile boolean open = true;

    private PostgresStore(PostgresPool pool, PostgresPool leasePool) {
        this.pool = pool;
        this.leasePool = leasePool;
        this.lease = new PostgresLease(leasePool, this::countKeys);
        this.reads = new PostgresReads(pool);
    }

    /** True if {@code where} names a database of this kind rather than a directory. */
    public static boolean names(String where) {
        return where.startsWith(PREFIX);
    }

    /**
     * Opens the index in the database at {@code url} ({@code postgresql://HOST:PORT[,...]/DB?user=U...}),
     * creating or migrating its tables if needed, and takes this process's lease. The password,
     * if one is needed, comes from the environment variable PGPASSWORD, never from the URL.
     *
     * @throws IllegalStateException with a readable reason when it cannot be opened
     */
    public static PostgresStore open(String url) {
        if (!names(url)) {
            throw new IllegalArgumentException("not a postgresql:// URL: " + url);
        }
        PostgresPool pool = null;
        PostgresPool leasePool = null;
        PostgresStore store = null;
        try {
            pool = new PostgresPool(url, "index-db", POOL_SIZE);
            leasePool = new PostgresPool(url, "index-db-lease", 1);
            store = new PostgresStore(pool, leasePool);
            store.createSchema();
            store.lease.start();
            store.countKeys();
            return store;
        } catch (RuntimeException e) {
            if (store != null) {
                store.reads.close();
                store.lease.close();
            }
            if (pool != null) {
                pool.close();
            }
            if (leasePool != null) {
                leasePool.close();
            }
            throw new IllegalStateException("cannot open index database " + withoutQuery(url) + ": "
                    + PostgresPool.rootMessage(e), e);
        }
    }

    /** Processes opening a new database at once: all but one fail to create a table, and see it made on a retry. */
    private void createSchema() {
        for (int attempt = 1; ; attempt++) {
            try {
                pool.transaction(c -> {
                    PostgresSchema.createOrMigrate(c);
                    PostgresCounts.foldStopped(c);
                    return null;
                });
                return;
            } catch (IllegalStateException e) {
                String state = e.getCause() instanceof SQLException sql ? sql.getSQLState() : null;
                if (attempt == 3 || !("23505".equals(state) || "42P07".equals(state))) {
                    throw e;
                }
            }
        }
    }

    @Override
    public Record get(byte[] key) {
        return pool.autocommit(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT record FROM minikv_records WHERE key = ?")) {
                s.setBytes(1, key);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? decode(r.getBytes(1)) : null;
                }
            }
        });
    }

    @Override
    public void put(byte[] key, Record record) {
        change(key, false, null, record);
    }

    @Override
    public void remove(byte[] key) {
        change(key, false, null, null);
    }

    @Override
    public boolean compareAndSet(byte[] key, Record expected, Record replacement) {
        return change(key, true, expected, replacement);
    }

    /** Durable: see the class comment. */
    @Override
    public boolean compareAndSetUnsynced(byte[] key, Record expected, Record replacement) {
        return change(key, true, expected, replacement);
    }

    /** A key's row as read with its lock. */
    private record Row(Record record, Long owner) {}

    /**
     * One change in one transaction: the key's row locked, checked against {@code expected} if
     * {@code conditional}, written with this process as owner if unsettled, the counts moved.
     */
    private boolean change(byte[] key, boolean conditional, Record expected, Record replacement) {
        requireWritable();
        KeyCounts.Delta delta = pool.transaction(c -> {
            Row current = lockedRow(c, key);
            Record before = current == null ? null : current.record();
            if (conditional) {
                if (!Objects.equals(before, expected)) {
                    return null;
                }
                if (before != null && before.unsettled() && !Objects.equals(current.owner(), lease.id)) {
                    return null; // another process's (until adopted)
                }
            }
            if (current == null && replacement != null) {
                // Nothing was there to lock: of racing inserts, the primary key lets one through.
                // A plain put that loses is as if it came first and the winner overwrote it.
                if (!insert(c, key, replacement)) {
                    return null;
                }
            } else if (current != null) {
                update(c, key, replacement);
            }
            KeyCounts.Delta moved = new KeyCounts.Delta();
            moved.move(before == null ? null : before.state(), replacement == null ? null : replacement.state());
            PostgresCounts.add(c, lease.id, moved);
            return moved;
        });
        if (delta == null) {
            return false;
        }
        keyCounts.apply(delta);
        return true;
    }

    @Override
    public boolean adopt(byte[] key, Record unsettled) {
        requireWritable();
        return pool.autocommit(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE minikv_records SET owner = ? WHERE key = ? AND record = ?"
                    + " AND " + PostgresSchema.IS_UNSETTLED + " AND (owner = ? OR " + PostgresLease.notRunning("owner") + ")")) {
                s.setLong(1, lease.id);
                s.setBytes(2, key);
                s.setBytes(3, unsettled.encode());
                s.setLong(4, lease.id);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public List<Entry> orphans() {
        return unsettledWhere("owner IS DISTINCT FROM ? AND " + PostgresLease.notRunning("owner"));
    }

    @Override
    public List<Entry> unsettled() {
        return unsettledWhere("(owner = ? OR " + PostgresLease.notRunning("owner") + ")");
    }

    private List<Entry> unsettledWhere(String condition) {
        return pool.autocommit(c -> {
            List<Entry> found = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT key, record FROM minikv_records WHERE "
                    + PostgresSchema.IS_UNSETTLED + " AND " + condition + " ORDER BY key")) {
                s.setLong(1, lease.id);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        found.add(new Entry(r.getBytes(1), decode(r.getBytes(2))));
                    }
                }
            }
            return found;
        });
    }

    @Override
    public boolean isWritable() {
        return open && lease.held();
    }

    /** Every read is a round trip to the database server. */
    @Override
    public boolean getMayWait() {
        return true;
    }

    @Override
    public void lookUp(byte[] key, Found then) {
        reads.lookUp(key, then);
    }

    /**
     * How many other processes (index or tool) hold a lease on the database now. A process that
     * died keeps its lease until it runs out, {@link PostgresLease#LEASE} at most.
     */
    public long otherProcessesRunning() {
        return pool.autocommit(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT count(*) FROM minikv_processes WHERE id <> ? AND expires > now()")) {
                s.setLong(1, lease.id);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    return r.getLong(1);
                }
            }
        });
    }

    /** This process's id in minikv_processes, which owns its unsettled records. */
    long processId() {
        return lease.id;
    }

    @Override
    public KeyCounts keyCounts() {
        return keyCounts;
    }

    @Override
    public Snapshot snapshot() {
        requireOpen();
        Connection c = pool.connection();
        try {
            return new PostgresSnapshot(c, SCAN_FETCH);
        } catch (SQLException e) {
            throw PostgresPool.failure(e);
        }
    }

    /** Gives up the lease, then lets go of the connections. Every change is durable already. */
    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        reads.close();
        lease.close();
        leasePool.close();
        pool.close();
    }

    /**
     * Counts anew what the other processes account for (see {@link PostgresCounts}). This
     * process's own rows start at zero under its new id and follow its commits in memory.
     */
    private void countKeys() {
        keyCounts.setElsewhere(pool.autocommit(c -> PostgresCounts.allBut(c, lease.id)));
    }

    private void requireOpen() {
        if (!open) {
            throw new IllegalStateException("the index database is closed");
        }
    }

    private void requireWritable() {
        requireOpen();
        lease.requireHeld();
    }

    private static Row lockedRow(Connection c, byte[] key) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT record, owner FROM minikv_records WHERE key = ? FOR UPDATE")) {
            s.setBytes(1, key);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return null;
                }
                long owner = r.getLong(2);
                return new Row(decode(r.getBytes(1)), r.wasNull() ? null : owner);
            }
        }
    }

    /** Inserts the key's row; false if one appeared meanwhile. */
    private boolean insert(Connection c, byte[] key, Record record) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO minikv_records (key, state, record, owner)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING")) {
            s.setBytes(1, key);
            s.setShort(2, code(record.state()));
            s.setBytes(3, record.encode());
            setOwner(s, 4, record);
            return s.executeUpdate() == 1;
        }
    }

    /** Rewrites (or, for null, deletes) the key's row, which exists and is locked. */
    private void update(Connection c, byte[] key, Record record) throws SQLException {
        if (record == null) {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM minikv_records WHERE key = ?")) {
                s.setBytes(1, key);
                s.executeUpdate();
            }
            return;
        }
        try (PreparedStatement s = c.prepareStatement("UPDATE minikv_records SET state = ?, record = ?, owner = ? WHERE key = ?")) {
            s.setShort(1, code(record.state()));
            s.setBytes(2, record.encode());
            setOwner(s, 3, record);
            s.setBytes(4, key);
            s.executeUpdate();
        }
    }

    /** This process owns the unsettled records it writes; a settled one has no owner. */
    private void setOwner(PreparedStatement s, int index, Record record) throws SQLException {
        if (record.unsettled()) {
            s.setLong(index, lease.id);
        } else {
            s.setNull(index, java.sql.Types.BIGINT);
        }
    }

    private static Record decode(byte[] bytes) {
        return Record.decode(bytes, bytes.length);
    }

    /** The state's code in the table: the record encoding's own, which never changes. */
    static short code(Record.State state) {
        return state.code;
    }

    private static String withoutQuery(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }
}
