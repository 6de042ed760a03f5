package minikv.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The key counts in {@code minikv_counts} (see {@link PostgresSchema}): each change adds its
 * delta to its own process's rows in the change's transaction, so the sum over all rows is
 * exact whichever processes commit or die, and no two processes ever update one row.
 */
final class PostgresCounts {

    private PostgresCounts() {
    }

    /** Adds {@code delta} to {@code process}'s rows, in the caller's transaction. */
    static void add(Connection c, long process, KeyCounts.Delta delta) throws SQLException {
        if (delta.isEmpty()) {
            return;
        }
        List<Record.State> changed = new ArrayList<>();
        for (Record.State state : Record.State.values()) {
            if (delta.of(state) != 0) {
                changed.add(state);
            }
        }
        StringBuilder sql = new StringBuilder("INSERT INTO minikv_counts (process, state, n) VALUES ");
        for (int i = 0; i < changed.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?)");
        }
        sql.append(" ON CONFLICT (process, state) DO UPDATE SET n = minikv_counts.n + EXCLUDED.n");
        try (PreparedStatement s = c.prepareStatement(sql.toString())) {
            int p = 1;
            for (Record.State state : changed) {
                s.setLong(p++, process);
                s.setShort(p++, PostgresStore.code(state));
                s.setLong(p++, delta.of(state));
            }
            s.executeUpdate();
        }
    }

    /** Keys per state in the rows of every process but {@code process}. */
    static KeyCounts.Delta allBut(Connection c, long process) throws SQLException {
        KeyCounts.Delta total = new KeyCounts.Delta();
        try (PreparedStatement s = c.prepareStatement(
                "SELECT state, sum(n) FROM minikv_counts WHERE process <> ? GROUP BY state")) {
            s.setLong(1, process);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    total.add(Record.State.of((byte) r.getShort(1)), r.getLong(2));
                }
            }
        }
        return total;
    }

    /**
     * Folds the rows of processes that hold no lease into process 0's, in the caller's
     * transaction, so that the rows stay few however often processes restart. A process whose
     * lease merely lapsed and that commits again later just starts new rows.
     */
    static void foldStopped(Connection c) throws SQLException {
        String stopped = "process <> 0 AND " + PostgresLease.notRunning("process");
        // One statement: what it deletes is exactly what it adds, whatever commits meanwhile.
        try (Statement s = c.createStatement()) {
            s.execute("WITH gone AS (DELETE FROM minikv_counts WHERE " + stopped + " RETURNING state, n)"
                    + " INSERT INTO minikv_counts (process, state, n) SELECT 0, state, sum(n) FROM gone GROUP BY state"
                    + " ON CONFLICT (process, state) DO UPDATE SET n = minikv_counts.n + EXCLUDED.n");
        }
    }
}
