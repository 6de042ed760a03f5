package minikv.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * {@link PostgresStore}'s tables and their version, created or migrated by whichever index
 * process opens the database first.
 *
 * <ul>
 *   <li>{@code minikv_records}: key bytes to encoded record, its state beside it (so that the
 *       unsettled keys and the counts need no decoding), and for an unsettled record (PENDING,
 *       DELETING, or LIVE with a replace under way) the process that owns it.</li>
 *   <li>{@code minikv_processes}: the running index processes and their leases ({@link PostgresLease}).</li>
 *   <li>{@code minikv_counts}: keys per state as deltas, one row per process and state, so that
 *       processes never update one row; their sum is the count. Process 0 holds the folded
 *       counts of processes that stopped.</li>
 * </ul>
 * Version 1 (one process at a time) had no owners, leases or count rows; version 2 counted only
 * PENDING and DELETING rows as unsettled.
 */
final class PostgresSchema {

    /** The schema this code creates and reads; a database with a newer one is refused. */
    static final int VERSION = 3;
    private static final String UNSETTLED = PostgresStore.code(Record.State.PENDING) + ", "
            + PostgresStore.code(Record.State.DELETING);
    /**
     * SQL true for a row of minikv_records that is PENDING or DELETING, or LIVE in the middle of
     * a replace: every unsettled row written since version 3 has an owner, a settled one none.
     */
    static final String IS_UNSETTLED = "(state IN (" + UNSETTLED + ") OR owner IS NOT NULL)";

    private PostgresSchema() {
    }

    /**
     * Creates what is missing or migrates an older version, in the caller's transaction, with
     * the version row locked so that processes opening at once do it one at a time; refuses a
     * newer schema.
     */
    static void createOrMigrate(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS minikv_schema (version INT NOT NULL)");
            Integer version = null;
            try (ResultSet r = s.executeQuery("SELECT version FROM minikv_schema FOR UPDATE")) {
                if (r.next()) {
                    version = r.getInt(1);
                }
            }
            if (version != null && version > VERSION) {
                throw new IllegalStateException("its schema is version " + version + ", from a newer minikv"
                        + " (this one knows version " + VERSION + ")");
            }
            if (version != null && version == VERSION) {
                return;
            }
            s.execute("CREATE TABLE IF NOT EXISTS minikv_records"
                    + " (key BYTEA PRIMARY KEY, state SMALLINT NOT NULL, record BYTEA NOT NULL)");
            s.execute("ALTER TABLE minikv_records ADD COLUMN IF NOT EXISTS owner BIGINT");
            // Version 3 counts a LIVE row with an owner (a replace under way) as unsettled too.
            s.execute("DROP INDEX IF EXISTS minikv_records_unsettled");
            s.execute("CREATE INDEX IF NOT EXISTS minikv_records_unsettled3 ON minikv_records (key) WHERE " + IS_UNSETTLED);
            s.execute("CREATE TABLE IF NOT EXISTS minikv_processes (id BIGINT PRIMARY KEY,"
                    + " expires TIMESTAMPTZ NOT NULL, started TIMESTAMPTZ NOT NULL, host TEXT NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS minikv_counts (process BIGINT NOT NULL, state SMALLINT NOT NULL,"
                    + " n BIGINT NOT NULL, PRIMARY KEY (process, state))");
            if (version == null || version == 1) {
                // Version 1 kept no count rows: count once, into process 0.
                s.execute("INSERT INTO minikv_counts (process, state, n) SELECT 0, state, count(*) FROM minikv_records"
                        + " GROUP BY state");
            }
            if (version == null) {
                s.execute("INSERT INTO minikv_schema (version) VALUES (" + VERSION + ")");
            } else {
                s.execute("UPDATE minikv_schema SET version = " + VERSION);
            }
        }
    }
}
