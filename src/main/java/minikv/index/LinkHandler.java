package minikv.index;

import io.undertow.server.HttpServerExchange;
import minikv.cluster.ReplicaName;
import minikv.store.IndexStore;
import minikv.store.Record.State;
import minikv.store.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UNLINK /key hides a live value; RELINK /key brings it back (204), or 404 if the key is not in
 * the state they undo.
 *
 * <p>Each also renames the replicas (WebDAV MOVE, one atomic rename per volume) between the
 * live name and the unlinked name ({@link ReplicaName}), so that a rebuild from the volumes
 * alone knows which keys were unlinked. While it renames, the key is recorded RENAMING (durably,
 * before the first rename): it reads as absent, and no other request or index process touches
 * its files, because a rename racing another process's write could move that write's new file
 * away. If the renames cannot all be done, the key stays RENAMING and the background settling
 * gives every file the unlinked name once the volumes let it, then records it UNLINKED; so does
 * any later request on the key, first (as it settles whatever else a failed change left).
 *
 * <p>UNLINK answers 204 either way: from RENAMING the key only ever becomes UNLINKED. It does not
 * ask a volume the probes say is down, so it stays quick while a volume hangs. RELINK records
 * LIVE (durably) only once every file has the live name again, so a read is never redirected to
 * a name that is gone; otherwise it answers 503/502 and the key goes back to UNLINKED.
 */
final class LinkHandler extends KeyChangeHandler {

    private static final Logger log = LoggerFactory.getLogger(LinkHandler.class);

    private final IndexStore store;
    private final ReplicaRenames renames;
    private final Eraser eraser;
    private final boolean unlinking;

    private LinkHandler(IndexStore store, KeyClaims claims, ReplicaRenames renames, Eraser eraser, boolean unlinking) {
        super(claims);
        this.store = store;
        this.renames = renames;
        this.eraser = eraser;
        this.unlinking = unlinking;
    }

    static LinkHandler unlink(IndexStore store, KeyClaims claims, ReplicaRenames renames, Eraser eraser) {
        return new LinkHandler(store, claims, renames, eraser, true);
    }

    static LinkHandler relink(IndexStore store, KeyClaims claims, ReplicaRenames renames, Eraser eraser) {
        return new LinkHandler(store, claims, renames, eraser, false);
    }

    @Override
    int change(HttpServerExchange exchange, Key key) throws HttpFailure {
        Record record = store.get(key.bytes());
        if (record != null && record.unsettled()) {
            // Left by a change that failed half-way, or by a crash (as for PUT): an UNLINK or
            // RELINK left unfinished is UNLINKED now, a replace has its old value or its new one.
            record = eraser.settle(key, record);
        }
        if (record == null || record.state() != (unlinking ? State.LIVE : State.UNLINKED)) {
            throw new HttpFailure(404, "");
        }
        if (unlinking && key.tooLongToWrite()) { // adopted from minikeyvalue, which allows 6 bytes more
            throw key.tooLongToWriteFailure("UNLINK (DELETE it instead)");
        }
        Record renaming = record.withState(State.RENAMING);
        KeyChanged.swap(store, key, record, renaming);
        try {
            // UNLINK does not even try a volume the probes say is down; RELINK tries every one,
            // as one may be back before the probes know.
            renames.rename(key, record.locations(), unlinking, unlinking);
        } catch (VolumeFailure e) {
            eraser.settleLater(key);
            if (!unlinking) {
                throw e;
            }
            log.warn("UNLINK {}: {}; its files get the unlinked name once the volume can take it", key, e.getMessage());
            return 204;
        }
        if (unlinking) {
            // No sync needed: a machine crash that loses this brings back RENAMING, which settles the same way.
            KeyChanged.swapUnsynced(store, key, renaming, record.withState(State.UNLINKED));
        } else {
            KeyChanged.swap(store, key, renaming, record.withState(State.LIVE));
        }
        return 204;
    }
}
