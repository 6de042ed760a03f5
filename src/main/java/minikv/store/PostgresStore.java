package minikv.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The index in a PostgreSQL-protocol database: one table from key bytes ({@code bytea}, whose
 * order is byte order) to the encoded {@link Record}, its state beside it so that the unsettled
 * keys and the counts need no decoding. Only standard SQL and {@code ON CONFLICT}, which
 * CockroachDB and YugabyteDB also run (tested here on PostgreSQL only).
 *
 * <p>Each change is one transaction. A durable one returns once the server has made it
 * durable; an unsynced one sets {@code synchronous_commit = off} for its transaction: visible
 * at once and kept if the index process dies, possibly lost if the database server crashes.
 * A serialization failure or deadlock (SQLSTATE 40001, 40P01) is retried.
 *
 * <p>{@link #keyCounts} starts from a count at open and follows this process's own commits.
 */
public final class PostgresStore implements IndexStore {

    private static final int POOL_SIZE = 32;
    private static final int ATTEMPTS = 5;
    private static final int SCAN_FETCH = 1000;
    private static final String PREFIX = "postgresql://";

    private final HikariDataSource pool;
    private final KeyCounts keyCounts = new KeyCounts();
    private volatile boolean open = true;
    /** Holds the advisory lock for as long as the store is open. */
    private Connection holder;

    private PostgresStore(HikariDataSource pool) {
        this.pool = pool;
    }

    /** True if {@code where} names a database of this kind rather than a directory. */
    public static boolean names(String where) {
        return where.startsWith(PREFIX);
    }

    /**
     * Opens the index in the database at {@code url} ({@code postgresql://HOST:PORT[,...]/DB?user=U...}),
     * creating its tables if needed. The password, if one is needed, comes from the environment
     * variable PGPASSWORD, never from the URL.
     *
     * @throws IllegalStateException with a readable reason when it cannot be opened
     */
    public static PostgresStore open(String url) {
        if (!names(url)) {
            throw new IllegalArgumentException("not a postgresql:// URL: " + url);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:" + url);
        config.setMaximumPoolSize(POOL_SIZE);
        config.setPoolName("index-db");
        config.setConnectionTimeout(10_000);
        String password = System.getenv("PGPASSWORD");
        if (password != null) {
            config.setPassword(password);
        }
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot open index database " + withoutQuery(url) + ": " + rootMessage(e), e);
        }
        PostgresStore store = new PostgresStore(pool);
        try {
            store.takeHolderLock();
            store.createSchema();
            store.countKeys();
            return store;
        } catch (RuntimeException e) {
            pool.close();
            throw new IllegalStateException("cannot open index database " + withoutQuery(url) + ": " + rootMessage(e), e);
        }
    }

    /**
     * One process at a time, as the Xodus directory's lock makes it: two index processes on one
     * database would each settle the other's writes in flight as if left by a crash. The lock
     * is the session's, so it goes when this process or its connection dies.
     */
    private void takeHolderLock() {
        try {
            Connection c = pool.getConnection();
            if (!PostgresSchema.tryLock(c)) {
                c.close();
                throw new IllegalStateException("another minikv index or tool has it open (one at a time, until"
                        + " several index processes can share a database)");
            }
            holder = c;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    @Override
    public Record get(byte[] key) {
        return call(false, c -> {
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
        write(key, record, true);
    }

    @Override
    public void remove(byte[] key) {
        write(key, null, true);
    }

    @Override
    public void putUnsynced(byte[] key, Record record) {
        write(key, record, false);
    }

    @Override
    public void removeUnsynced(byte[] key) {
        write(key, null, false);
    }

    private void write(byte[] key, Record record, boolean durable) {
        KeyCounts.Delta delta = call(true, c -> {
            if (!durable) {
                try (Statement s = c.createStatement()) {
                    s.execute("SET LOCAL synchronous_commit = off");
                }
            }
            KeyCounts.Delta moved = new KeyCounts.Delta();
            Record before = lockedRecord(c, key);
            moved.move(before == null ? null : before.state(), record == null ? null : record.state());
            store(c, key, before != null, record);
            return moved;
        });
        keyCounts.apply(delta);
    }

    @Override
    public boolean compareAndSet(byte[] key, Record expected, Record replacement) {
        KeyCounts.Delta delta = call(true, c -> {
            Record current = lockedRecord(c, key);
            if (!Objects.equals(current, expected)) {
                return null;
            }
            if (current == null && replacement != null) {
                // Nothing to lock: of racing inserts, the primary key lets one through.
                try (PreparedStatement s = c.prepareStatement(
                        "INSERT INTO minikv_records (key, state, record) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING")) {
                    bind(s, key, replacement);
                    if (s.executeUpdate() == 0) {
                        return null;
                    }
                }
            } else {
                store(c, key, current != null, replacement);
            }
            KeyCounts.Delta moved = new KeyCounts.Delta();
            moved.move(current == null ? null : current.state(), replacement == null ? null : replacement.state());
            return moved;
        });
        if (delta == null) {
            return false;
        }
        keyCounts.apply(delta);
        return true;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public KeyCounts keyCounts() {
        return keyCounts;
    }

    @Override
    public Snapshot snapshot() {
        requireOpen();
        try {
            return new PostgresSnapshot(pool.getConnection(), SCAN_FETCH);
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    @Override
    public List<Entry> unsettled() {
        return call(false, c -> {
            List<Entry> found = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT key, record FROM minikv_records WHERE state IN (" + code(Record.State.PENDING) + ", "
                            + code(Record.State.DELETING) + ") ORDER BY key")) {
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        found.add(new Entry(r.getBytes(1), decode(r.getBytes(2))));
                    }
                }
            }
            return found;
        });
    }

    /**
     * Makes the unsynced changes durable, then lets go of the connections. One durable commit
     * does it: PostgreSQL flushes its log in order, so it covers every commit before it.
     */
    @Override
    public void close() {
        if (!open) {
            return;
        }
        try {
            call(true, c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("UPDATE minikv_schema SET version = version");
                }
                return null;
            });
        } finally {
            open = false;
            try (Connection c = holder) {
                PostgresSchema.unlock(c);
            } catch (SQLException e) {
                // closing the pool below ends the session, and the lock with it
            }
            pool.close();
        }
    }

    private void createSchema() {
        call(true, c -> {
            PostgresSchema.createOrCheck(c);
            return null;
        });
    }

    private void countKeys() {
        KeyCounts.Delta all = call(false, c -> {
            KeyCounts.Delta counted = new KeyCounts.Delta();
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT state, count(*) FROM minikv_records GROUP BY state")) {
                while (r.next()) {
                    counted.add(state(r.getShort(1)), r.getLong(2));
                }
            }
            return counted;
        });
        keyCounts.apply(all);
    }

    /** The key's record, its row locked until the transaction ends; null if it has none. */
    private static Record lockedRecord(Connection c, byte[] key) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT record FROM minikv_records WHERE key = ? FOR UPDATE")) {
            s.setBytes(1, key);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? decode(r.getBytes(1)) : null;
            }
        }
    }

    /** Writes or deletes the key's row, knowing whether it has one. */
    private static void store(Connection c, byte[] key, boolean exists, Record record) throws SQLException {
        if (record == null) {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM minikv_records WHERE key = ?")) {
                s.setBytes(1, key);
                s.executeUpdate();
            }
            return;
        }
        String sql = exists
                ? "UPDATE minikv_records SET state = ?, record = ? WHERE key = ?"
                : "INSERT INTO minikv_records (key, state, record) VALUES (?, ?, ?)"
                        + " ON CONFLICT (key) DO UPDATE SET state = EXCLUDED.state, record = EXCLUDED.record";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            if (exists) {
                s.setShort(1, code(record.state()));
                s.setBytes(2, record.encode());
                s.setBytes(3, key);
            } else {
                bind(s, key, record);
            }
            s.executeUpdate();
        }
    }

    private static void bind(PreparedStatement s, byte[] key, Record record) throws SQLException {
        s.setBytes(1, key);
        s.setShort(2, code(record.state()));
        s.setBytes(3, record.encode());
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} on a pooled connection, in one transaction if {@code transaction}; retried on a serialization failure. */
    private <T> T call(boolean transaction, Work<T> work) {
        requireOpen();
        for (int attempt = 1; ; attempt++) {
            try (Connection c = pool.getConnection()) {
                if (!transaction) {
                    return work.run(c);
                }
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            } catch (SQLException e) {
                if (attempt < ATTEMPTS && retryable(e)) {
                    continue;
                }
                throw failure(e);
            }
        }
    }

    private static boolean retryable(SQLException e) {
        String state = e.getSQLState();
        return "40001".equals(state) || "40P01".equals(state);
    }

    private void requireOpen() {
        if (!open) {
            throw new IllegalStateException("the index database is closed");
        }
    }

    static IllegalStateException failure(SQLException e) {
        return new IllegalStateException("index database: " + e.getMessage() + " (SQLSTATE " + e.getSQLState() + ")", e);
    }

    private static Record decode(byte[] bytes) {
        return Record.decode(bytes, bytes.length);
    }

    /** The state's code in the table: the record encoding's own, which never changes. */
    static short code(Record.State state) {
        return state.code;
    }

    private static Record.State state(short code) {
        return Record.State.of((byte) code);
    }

    /** The least key after every key that starts with {@code prefix}, or null if there is none. */
    static byte[] afterPrefix(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xff) {
                byte[] end = Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return end;
            }
        }
        return null;
    }

    private static String withoutQuery(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }
}
