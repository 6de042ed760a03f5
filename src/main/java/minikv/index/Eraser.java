package minikv.index;

import minikv.store.IndexStore;
import minikv.store.Record;

/**
 * Removes a key and its replicas for good, in the one order that never leaves a replica that
 * nothing tracks: record marked DELETING (durably), replicas deleted, record dropped (no sync).
 */
final class Eraser {

    private final IndexStore store;
    private final Volumes volumes;

    Eraser(IndexStore store, Volumes volumes) {
        this.store = store;
        this.volumes = volumes;
    }

    /**
     * Erases {@code key}, whose record is {@code record}. The caller holds the key's claim.
     *
     * @throws VolumeFailure if a replica could not be deleted; the record then stays unsettled
     *     (reads as absent, unlisted) and a later DELETE, PUT or restart finishes the job
     */
    void erase(Key key, Record record) throws VolumeFailure {
        Record.State state = record.state();
        if (state == Record.State.LIVE || state == Record.State.UNLINKED) {
            store.put(key.bytes(), record.withState(Record.State.DELETING));
        }
        // A LIVE key's files all have their live name: RELINK renames before it records LIVE.
        // Any other state may have files under the unlinked name (see ReplicaName).
        volumes.deleteAll(record.locations(), key.bytes(), true, state != Record.State.LIVE);
        // No sync needed: if a machine crash loses this, startup finds the key DELETING (or
        // PENDING) again and finishes erasing it.
        store.removeUnsynced(key.bytes());
    }

    /**
     * Deletes once more the live-name replicas of a write that was rolled back while one of its
     * volumes was unreachable. A hung volume (stopped, or stalled on its disk) may hold the whole
     * body, last byte included, in its socket buffer; once it resumes, nginx completes that PUT and
     * renames the file into place, possibly after the rollback's DELETE reached it. The caller
     * holds the key's claim and has checked that the key has no record any more.
     */
    void sweep(Key key, Record rolledBack) throws VolumeFailure {
        volumes.deleteAll(rolledBack.locations(), key.bytes(), true, false);
    }
}
