package minikv.cluster;

import java.io.IOException;
import java.util.List;
import minikv.store.IndexStore;
import minikv.store.Record;

/**
 * Settles a key whose record is unsettled, for {@code verify --repair} on the database with the
 * index stopped (or for the index's REPAIR), the way the index's own settling does.
 */
final class UnfinishedChanges {

    private final IndexStore store;
    private final VolumeClient client;

    UnfinishedChanges(IndexStore store, VolumeClient client) {
        this.store = store;
        this.client = client;
    }

    /** What the unsettled {@code record} left unfinished, and what repair does about it. */
    static String describe(Record record) {
        if (record.next() != null) {
            return "replace (repair rolls it " + (record.nextComplete() ? "forward)" : "back)");
        }
        return switch (record.state()) {
            case PENDING -> "write (repair rolls it back)";
            case RENAMING -> "UNLINK or RELINK (repair gives every file the unlinked name)";
            case LIVE -> "write over an unlinked value (repair deletes that value's files)";
            default -> "delete (repair finishes it)";
        };
    }

    /**
     * Rolls back an unfinished write, finishes an unfinished delete, UNLINK or RELINK (to the
     * unlinked name) or a replace, as the index does at startup. For a write or a delete: every
     * file of the key at its locations, under either name, then the record. A write over an
     * unlinked value loses only its live-name files, and the unlinked record is restored: the
     * write never touched the files under the unlinked name. The record is first adopted, and
     * changed only from what was read (see IndexStore).
     */
    KeyReport settle(byte[] key, Record record) {
        if (!store.adopt(key, record)) {
            return KeyReport.failed("another index process is changing it right now");
        }
        if (record.next() != null) {
            return settleReplace(key, record);
        }
        if (record.state() == Record.State.RENAMING) {
            return settleRenaming(key, record);
        }
        if (record.state() == Record.State.LIVE) {
            return settleLeftover(key, record);
        }
        Record replaced = record.replacing();
        String failure = replaced == null ? null : unlinkedNamesBack(key, record.locations(), replaced.locations());
        for (String location : failure == null ? record.locations() : List.<String>of()) {
            for (boolean unlinked : replaced == null ? new boolean[] {false, true} : new boolean[] {false}) {
                String url = ReplicaName.url(location, key, unlinked);
                try {
                    client.delete(url);
                } catch (IOException e) {
                    failure = "DELETE " + url + ": " + e.getMessage();
                    break;
                }
            }
        }
        if (failure != null) {
            return KeyReport.failed("cannot settle its unfinished " + (record.state() == Record.State.PENDING ? "write" : "delete")
                    + ": " + failure);
        }
        if (!store.compareAndSet(key, record, replaced)) {
            return KeyReport.failed("another index process changed it meanwhile");
        }
        if (replaced != null) {
            return new KeyReport(KeyReport.Kind.REPAIRED, "rolled back an unfinished write over an unlinked value,"
                    + " which is unlinked again");
        }
        return new KeyReport(KeyReport.Kind.REPAIRED, record.state() == Record.State.PENDING
                ? "rolled back an unfinished write" : "finished an unfinished delete");
    }

    /** As the index's Eraser does: a complete new value renamed over the old, or an incomplete one deleted. */
    private KeyReport settleReplace(byte[] key, Record record) {
        boolean forward = record.nextComplete();
        for (String location : record.locations()) {
            String unlinked = ReplicaName.url(location, key, true);
            try {
                if (forward) {
                    client.move(unlinked, ReplicaName.path(location, key, false)); // false: moved already
                } else {
                    client.delete(unlinked);
                }
            } catch (IOException e) {
                return KeyReport.failed("cannot settle its unfinished replace: " + e.getMessage());
            }
        }
        Record left = forward ? record.next() : record.withState(Record.State.LIVE);
        if (!store.compareAndSet(key, record, left)) {
            return KeyReport.failed("another index process changed it meanwhile");
        }
        return new KeyReport(KeyReport.Kind.REPAIRED, forward ? "finished an unfinished replace" : "rolled back an unfinished replace");
    }

    /** As the index's Eraser does: the files of the unlinked value a write replaced deleted, then the record plain LIVE. */
    private KeyReport settleLeftover(byte[] key, Record record) {
        for (String location : record.replacing().locations()) {
            boolean shared = record.locations().contains(location); // its live name holds the new value
            for (boolean unlinked : shared ? new boolean[] {true} : new boolean[] {false, true}) {
                String url = ReplicaName.url(location, key, unlinked);
                try {
                    client.delete(url);
                } catch (IOException e) {
                    return KeyReport.failed("cannot delete the files of the unlinked value it replaced: DELETE " + url + ": "
                            + e.getMessage());
                }
            }
        }
        if (!store.compareAndSet(key, record, record.withState(Record.State.LIVE))) {
            return KeyReport.failed("another index process changed it meanwhile");
        }
        return new KeyReport(KeyReport.Kind.REPAIRED, "deleted the files of the unlinked value a write replaced");
    }

    /** As the index's Eraser does: every file renamed to the unlinked name, then the key UNLINKED. */
    private KeyReport settleRenaming(byte[] key, Record record) {
        for (String location : record.locations()) {
            String live = ReplicaName.url(location, key, false);
            try {
                client.move(live, ReplicaName.path(location, key, true)); // false: moved already
            } catch (IOException e) {
                return KeyReport.failed("cannot finish its unfinished UNLINK or RELINK: MOVE " + live + ": " + e.getMessage());
            }
        }
        if (!store.compareAndSet(key, record, record.withState(Record.State.UNLINKED))) {
            return KeyReport.failed("another index process changed it meanwhile");
        }
        return new KeyReport(KeyReport.Kind.REPAIRED, "finished an unfinished UNLINK or RELINK: the key is unlinked");
    }

    /**
     * Before a write over an unlinked value is rolled back: gives the unlinked name back to its
     * files that still have the live one (the write renames them after recording itself), where
     * the unlinked name is free. Returns the failure, or null.
     */
    private String unlinkedNamesBack(byte[] key, List<String> written, List<String> unlinkedAt) {
        for (String location : written) {
            if (unlinkedAt.contains(location)) {
                String url = ReplicaName.url(location, key, false);
                try {
                    client.moveUnlessTaken(url, ReplicaName.path(location, key, true));
                } catch (IOException e) {
                    return "MOVE " + url + ": " + e.getMessage();
                }
            }
        }
        return null;
    }
}
