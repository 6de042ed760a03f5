package minikv.index;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import minikv.store.IndexStore;
import minikv.store.Record;

/**
 * Settles a key: removes it and its replicas for good, or rolls back an unfinished write.
 *
 * <p>Erasing has one order that never leaves a replica that nothing tracks: record marked
 * DELETING (durably; a PENDING one needs no mark, it holds no value), replicas deleted, record
 * dropped (no sync). Rolling back a write over an unlinked value first gives the unlinked name
 * back to any of its files that still have the live one (the write renames them only after
 * recording itself, so a crash may come between), then deletes the live-name files the write
 * may have made, then restores the unlinked record.
 *
 * <p>A LIVE key written over an unlinked value carries that value's record until its files are
 * deleted ({@link Record#withLeftover}): they are deleted (the unlinked name where the new value
 * is too, both names elsewhere), then the record is plain LIVE.
 *
 * <p>A key left RENAMING (an UNLINK or RELINK that could not rename every file) is finished to
 * the unlinked name: each file renamed to it, then the record UNLINKED.
 *
 * <p>A replace under way ({@link Record#next}) is rolled back while its new value may be
 * incomplete (the files under the unlinked name go, then the record is the old one again) and
 * rolled forward once it is whole (each file under the unlinked name is renamed over the live
 * one, then the record is the next one).
 *
 * <p>Each step changes the record only from the one read before it, and an unsettled record is
 * first {@link IndexStore#adopt adopted}: an index process sharing the store never settles a key
 * that another running process is writing (409 instead, see {@link KeyChanged}).
 *
 * <p>Nothing is settled while a request about the key to a volume has an unknown outcome
 * ({@link UnknownOutcomes}): a DELETE sent now could reach the disk before the request it undoes.
 */
final class Eraser {

    private final IndexStore store;
    private final Volumes volumes;
    private final Consumer<Key> settleLater;

    /** @param settleLater takes each key left unsettled by a volume failure, to finish in the background */
    Eraser(IndexStore store, Volumes volumes, Consumer<Key> settleLater) {
        this.store = store;
        this.volumes = volumes;
        this.settleLater = settleLater;
    }

    /**
     * Erases {@code key}, whose record is {@code record}, and every replica of it, an unlinked
     * value that a pending write replaces included. The caller holds the key's claim.
     *
     * @throws VolumeFailure if a replica could not be deleted, or a volume has not answered a
     *     request about the key; the record then stays unsettled (reads as absent, unlisted) and
     *     the background settling (or a DELETE or PUT before it) finishes the job
     * @throws KeyChanged if another index process changed the key meanwhile, or is changing it
     */
    void erase(Key key, Record record) throws HttpFailure {
        try {
            eraseNow(key, record);
        } catch (VolumeFailure e) {
            settleLater.accept(key);
            throw e;
        }
    }

    private void eraseNow(Key key, Record record) throws HttpFailure {
        if (record.unsettled()) {
            KeyChanged.adopt(store, key, record);
        }
        boolean replacing = record.next() != null;
        if (record.replacing() != null) {
            record = record.state() == Record.State.LIVE ? dropLeftover(key, record) : rollBack(key, record);
        }
        requireKnownOutcomes(key);
        Record.State state = record.state();
        Record deleting = record;
        // Marked first, whatever it holds: a key left RENAMING that lost files here would
        // otherwise settle UNLINKED without them, and come back through RELINK incomplete.
        if (state != Record.State.PENDING && state != Record.State.DELETING) {
            deleting = record.withState(Record.State.DELETING);
            KeyChanged.swap(store, key, record, deleting);
        }
        // A LIVE key's files all have their live name: RELINK renames before it records LIVE.
        // Any other state may have files under the unlinked name (see ReplicaName).
        volumes.deleteAll(record.locations(), key.bytes(), true, state != Record.State.LIVE || replacing, largestValue(record));
        // No sync needed: if a machine crash loses this, startup finds the key DELETING (or
        // PENDING) again and finishes erasing it.
        KeyChanged.swapUnsynced(store, key, deleting, null);
    }

    /**
     * Settles an unfinished change: a write over an unlinked value is rolled back to it, a
     * replace rolled back or forward, the renames of an UNLINK or RELINK finished to the unlinked
     * name, anything else erased. Returns the record left: the unlinked one, the live one a
     * replace left, or null.
     */
    Record settle(Key key, Record unsettled) throws HttpFailure {
        try {
            return settleNow(key, unsettled);
        } catch (VolumeFailure e) {
            settleLater.accept(key);
            throw e;
        }
    }

    private Record settleNow(Key key, Record unsettled) throws HttpFailure {
        if (unsettled.next() != null) {
            KeyChanged.adopt(store, key, unsettled);
            requireKnownOutcomes(key);
            Record left;
            if (unsettled.nextComplete()) {
                volumes.moveAll(unsettled.locations(), key.bytes(), false); // a file already moved answers 404
                left = unsettled.next();
            } else {
                volumes.deleteAll(unsettled.locations(), key.bytes(), false, true, largestValue(unsettled));
                left = unsettled.withState(Record.State.LIVE); // the old record, without its next
            }
            // No sync needed: a machine crash that loses this brings back the record before it,
            // synced, and settling it again does the same.
            KeyChanged.swapUnsynced(store, key, unsettled, left);
            return left;
        }
        if (unsettled.replacing() != null) {
            KeyChanged.adopt(store, key, unsettled);
            return unsettled.state() == Record.State.LIVE ? dropLeftover(key, unsettled) : rollBack(key, unsettled);
        }
        if (unsettled.state() == Record.State.RENAMING) {
            KeyChanged.adopt(store, key, unsettled);
            requireKnownOutcomes(key);
            // Every file is the unlinked value's, whichever of UNLINK and RELINK left it: none
            // other is written while the key is RENAMING, so the unlinked name may be overwritten.
            volumes.moveAll(unsettled.locations(), key.bytes(), true); // a file already moved answers 404
            Record unlinked = unsettled.withState(Record.State.UNLINKED);
            // No sync needed: a machine crash that loses this brings back RENAMING, settled again.
            KeyChanged.swapUnsynced(store, key, unsettled, unlinked);
            return unlinked;
        }
        eraseNow(key, unsettled);
        return null;
    }

    /**
     * The size of the largest value whose files a record may name (its own, a replace's new one,
     * the unlinked one it was written over), which bounds how long their deletes may take; -1
     * if none is known.
     */
    static long largestValue(Record record) {
        long bytes = record.details().size();
        if (record.next() != null) {
            bytes = Math.max(bytes, record.next().details().size());
        }
        if (record.replacing() != null) {
            bytes = Math.max(bytes, record.replacing().details().size());
        }
        return bytes;
    }

    /** The key was left unsettled by a volume failure: the background settling finishes it. */
    void settleLater(Key key) {
        settleLater.accept(key);
    }

    /** Undoes a pending write over an unlinked value and returns the unlinked record, restored. */
    private Record rollBack(Key key, Record pending) throws HttpFailure {
        requireKnownOutcomes(key);
        Record unlinked = pending.replacing();
        List<String> shared = new ArrayList<>(unlinked.locations());
        shared.retainAll(pending.locations());
        volumes.moveAllUnlessTaken(shared, key.bytes());
        volumes.deleteAll(pending.locations(), key.bytes(), true, false, largestValue(pending));
        // No sync needed: a machine crash that loses this brings back the pending record, synced
        // before the write began, and it is rolled back again.
        KeyChanged.swapUnsynced(store, key, pending, unlinked);
        return unlinked;
    }

    /**
     * Deletes the files of the unlinked value a LIVE key was written over and returns the record
     * without it. Where the new value has a replica, its live name holds the new value: only the
     * unlinked name goes. Elsewhere both go (an UNLINK interrupted before the write may have
     * left the live one).
     */
    private Record dropLeftover(Key key, Record live) throws HttpFailure {
        requireKnownOutcomes(key);
        List<String> elsewhere = new ArrayList<>(live.replacing().locations());
        elsewhere.removeAll(live.locations());
        List<String> shared = new ArrayList<>(live.replacing().locations());
        shared.retainAll(live.locations());
        long bytes = largestValue(live);
        volumes.deleteAll(elsewhere, key.bytes(), true, true, bytes);
        volumes.deleteAll(shared, key.bytes(), false, true, bytes);
        Record settled = live.withState(Record.State.LIVE);
        // No sync needed: a machine crash that loses this brings the leftover back, deleted again.
        KeyChanged.swapUnsynced(store, key, live, settled);
        return settled;
    }

    /** @throws VolumeFailure (503) while a volume has not answered a request about the key */
    void requireKnownOutcomes(Key key) throws VolumeFailure {
        volumes.requireKnownOutcomes(key.bytes());
    }
}
