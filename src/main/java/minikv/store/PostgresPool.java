package minikv.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;

/**
 * Connections to the index database (HikariCP over pgjdbc), and the one way work runs on them:
 * a transaction retried on a serialization failure, and any failure turned into a readable
 * exception, {@link StoreUnavailable} when the database cannot be used right now (so that the
 * index answers 503 during a failover, never 500).
 */
final class PostgresPool implements AutoCloseable {

    private static final int ATTEMPTS = 5;
    /**
     * How long a request waits for a connection: during a failover, a request should soon get a
     * 503 it may retry rather than hang. pgjdbc's own connect timeout is the same.
     */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    /** A query that gets no bytes back for this long fails: a frozen server, not a slow one. */
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(30);

    private static final Duration HOST_RECHECK = Duration.ofSeconds(2);

    private final HikariDataSource pool;

    /**
     * @param url {@code postgresql://...}; the password, if one is needed, comes from the
     *     environment variable PGPASSWORD, never from the URL
     * @throws IllegalStateException with a readable reason when no connection can be had
     */
    PostgresPool(String url, String name, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:" + url);
        config.setMaximumPoolSize(size);
        config.setPoolName(name);
        config.setConnectionTimeout(CONNECT_TIMEOUT.toMillis());
        // Defaults that the URL's own parameters override.
        config.addDataSourceProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT.toSeconds()));
        config.addDataSourceProperty("socketTimeout", String.valueOf(SOCKET_TIMEOUT.toSeconds()));
        // With several hosts, how soon a standby that was promoted is tried again as a primary.
        config.addDataSourceProperty("hostRecheckSeconds", String.valueOf(HOST_RECHECK.toSeconds()));
        String password = System.getenv("PGPASSWORD");
        if (password != null) {
            config.setPassword(password);
        }
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException(rootMessage(e), e);
        }
    }

    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in one transaction on a pooled connection; retried on a serialization failure or deadlock. */
    <T> T transaction(Work<T> work) {
        return call(true, work);
    }

    /** Runs {@code work} on a pooled connection in autocommit mode (each statement its own transaction). */
    <T> T autocommit(Work<T> work) {
        return call(false, work);
    }

    /** A connection of its own, for a caller that keeps a transaction open (a snapshot). Close it. */
    Connection connection() {
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private <T> T call(boolean transaction, Work<T> work) {
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
                    rollBackQuietly(c);
                    throw e;
                } finally {
                    autocommitQuietly(c);
                }
            } catch (SQLException e) {
                if (attempt < ATTEMPTS && retryable(e)) {
                    continue;
                }
                throw failure(e);
            }
        }
    }

    /** A broken connection fails these too, and its first error is the one to report: the pool drops it. */
    private static void rollBackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            // see above
        }
    }

    private static void autocommitQuietly(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException e) {
            // see rollBackQuietly
        }
    }

    private static boolean retryable(SQLException e) {
        String state = e.getSQLState();
        return "40001".equals(state) || "40P01".equals(state);
    }

    /**
     * The exception for {@code e}: {@link StoreUnavailable} if the database cannot be used right
     * now (no connection, a broken one, a server shutting down or starting, or a standby that
     * takes no writes yet), else a plain failure.
     */
    static IllegalStateException failure(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = "index database: " + e.getMessage() + (state.isEmpty() ? "" : " (SQLSTATE " + state + ")");
        boolean unavailable = e instanceof SQLTransientConnectionException || state.startsWith("08")
                || state.equals("57P01") || state.equals("57P02") || state.equals("57P03") || state.equals("25006");
        return unavailable ? new StoreUnavailable(message, e) : new IllegalStateException(message, e);
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    @Override
    public void close() {
        pool.close();
    }
}
