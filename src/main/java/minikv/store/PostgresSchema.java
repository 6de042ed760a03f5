package minikv.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** {@link PostgresStore}'s tables, their version, and the lock its one holder takes. */
final class PostgresSchema {

    /** The schema this code creates and reads; a database with a newer one is refused. */
    static final int VERSION = 1;
    /** The advisory lock a store holds while open ("minikv" in ASCII). */
    private static final long HOLDER_LOCK = 0x6d696e696b76L;

    private PostgresSchema() {
    }

    /** Creates what is missing, in the caller's transaction; refuses a newer schema. */
    static void createOrCheck(Connection c) throws SQLException {
        String unsettled = PostgresStore.code(Record.State.PENDING) + ", " + PostgresStore.code(Record.State.DELETING);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS minikv_schema (version INT NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS minikv_records"
                    + " (key BYTEA PRIMARY KEY, state SMALLINT NOT NULL, record BYTEA NOT NULL)");
            s.execute("CREATE INDEX IF NOT EXISTS minikv_records_unsettled ON minikv_records (key) WHERE state IN ("
                    + unsettled + ")");
            try (ResultSet r = s.executeQuery("SELECT max(version) FROM minikv_schema")) {
                r.next();
                int version = r.getInt(1);
                if (r.wasNull()) {
                    s.execute("INSERT INTO minikv_schema (version) VALUES (" + VERSION + ")");
                } else if (version > VERSION) {
                    throw new IllegalStateException("its schema is version " + version + ", from a newer minikv"
                            + " (this one knows version " + VERSION + ")");
                }
            }
        }
    }

    /** Takes the holder's lock for the session of {@code c}, if no other session has it. */
    static boolean tryLock(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pg_try_advisory_lock(" + HOLDER_LOCK + ")")) {
            r.next();
            return r.getBoolean(1);
        }
    }

    static void unlock(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_unlock(" + HOLDER_LOCK + ")");
        }
    }
}
