package minikv.store;

import java.util.Arrays;
import jetbrains.exodus.ArrayByteIterable;
import jetbrains.exodus.ByteIterable;
import jetbrains.exodus.env.Cursor;
import jetbrains.exodus.env.Store;
import jetbrains.exodus.env.Transaction;

/** {@link XodusStore}'s snapshot: a read-only transaction, which sees one committed version throughout. */
final class XodusSnapshot implements IndexStore.Snapshot {

    private interface RawVisitor {
        boolean visit(byte[] key, ByteIterable value);
    }

    private final Transaction txn;
    private final Store records;

    XodusSnapshot(Transaction txn, Store records) {
        this.txn = txn;
        this.records = records;
    }

    @Override
    public void scanKeys(byte[] prefix, byte[] start, Record.State state, IndexStore.KeyVisitor visitor) {
        scan(prefix, start, state, (key, value) -> visitor.visit(key));
    }

    @Override
    public void scanRecords(byte[] prefix, byte[] start, Record.State state, IndexStore.RecordVisitor visitor) {
        scan(prefix, start, state, (key, value) -> visitor.visit(key, Record.decode(value.getBytesUnsafe(), value.getLength())));
    }

    private void scan(byte[] prefix, byte[] start, Record.State state, RawVisitor visitor) {
        byte[] from = Arrays.compareUnsigned(start, prefix) > 0 ? start : prefix;
        try (Cursor cursor = records.openCursor(txn)) {
            if (cursor.getSearchKeyRange(new ArrayByteIterable(from)) == null) {
                return;
            }
            do {
                byte[] key = XodusStore.bytes(cursor.getKey());
                if (!startsWith(key, prefix)) {
                    return;
                }
                ByteIterable value = cursor.getValue();
                if (Record.stateOf(value.getBytesUnsafe(), value.getLength()).listedAs() == state && !visitor.visit(key, value)) {
                    return;
                }
            } while (cursor.getNext());
        }
    }

    @Override
    public void close() {
        txn.abort();
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}
