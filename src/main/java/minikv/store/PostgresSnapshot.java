package minikv.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.StringJoiner;

/**
 * A {@link PostgresStore} snapshot: one REPEATABLE READ transaction on a connection of its own,
 * which is PostgreSQL's consistent view of the whole database until it ends.
 */
final class PostgresSnapshot implements IndexStore.Snapshot {
    private final Connection c;
    private final int fetchSize;

    PostgresSnapshot(Connection c, int fetchSize) throws SQLException {
        this.c = c;
        this.fetchSize = fetchSize;
        try {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try (Statement s = c.createStatement()) {
                s.execute("SELECT 1"); // the snapshot is taken at the first statement
            }
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    @Override
    public void scanKeys(byte[] prefix, byte[] start, Record.State state, IndexStore.KeyVisitor visitor) {
        scan(prefix, start, state, "key", r -> visitor.visit(r.getBytes(1)));
    }

    @Override
    public void scanRecords(byte[] prefix, byte[] start, Record.State state, IndexStore.RecordVisitor visitor) {
        scan(prefix, start, state, "key, record", r -> {
            byte[] record = r.getBytes(2);
            return visitor.visit(r.getBytes(1), Record.decode(record, record.length));
        });
    }

    private interface RowVisitor {
        boolean visit(ResultSet row) throws SQLException;
    }

    /** The codes of the states listed as {@code state}, for SQL. */
    private static String listedAs(Record.State state) {
        StringJoiner codes = new StringJoiner(", ");
        for (Record.State s : Record.State.values()) {
            if (s.listedAs() == state) {
                codes.add(Short.toString(PostgresStore.code(s)));
            }
        }
        return codes.length() == 0 ? "NULL" : codes.toString();
    }

    private void scan(byte[] prefix, byte[] start, Record.State state, String columns, RowVisitor visitor) {
        byte[] from = Arrays.compareUnsigned(start, prefix) > 0 ? start : prefix;
        byte[] end = KeyOrder.afterPrefix(prefix);
        String sql = "SELECT " + columns + " FROM minikv_records WHERE key >= ?" + (end == null ? "" : " AND key < ?")
                + " AND state IN (" + listedAs(state) + ") ORDER BY key";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setFetchSize(fetchSize);
            int i = 1;
            s.setBytes(i++, from);
            if (end != null) {
                s.setBytes(i++, end);
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next() && visitor.visit(r)) {
                    // on to the next key
                }
            }
        } catch (SQLException e) {
            throw PostgresPool.failure(e);
        }
    }

    @Override
    public void close() {
        try {
            c.rollback();
            c.setReadOnly(false);
            c.setAutoCommit(true);
        } catch (SQLException e) {
            // the connection goes back to the pool, which checks it
        } finally {
            try {
                c.close();
            } catch (SQLException e) {
                // already closed
            }
        }
    }
}
