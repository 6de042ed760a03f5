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
 * alone knows which keys were unlinked. The order keeps the index from ever redirecting a read
 * to a name that is gone: UNLINK records first and renames after (what it cannot rename now is
 * renamed in the background, see {@link UnfinishedUnlinks}; the key is unlinked either way);
 * RELINK renames first and records LIVE only once every replica is back under its live name (if a
 * volume cannot rename, 503/502 and the key stays unlinked, its files renamed back in the
 * background unless a retry finishes the job). UNLINK does not ask a volume the probes say is
 * down, so it stays quick while a volume hangs.
 */
final class LinkHandler extends KeyChangeHandler {

    private static final Logger log = LoggerFactory.getLogger(LinkHandler.class);

    private final IndexStore store;
    private final ReplicaRenames renames;
    private final UnfinishedUnlinks unfinished;
    private final State from;
    private final State to;

    private LinkHandler(IndexStore store, KeyClaims claims, ReplicaRenames renames, UnfinishedUnlinks unfinished,
            State from, State to) {
        super(claims);
        this.store = store;
        this.renames = renames;
        this.unfinished = unfinished;
        this.from = from;
        this.to = to;
    }

    /** UNLINK does not even try a volume the probes say is down. */
    static LinkHandler unlink(IndexStore store, KeyClaims claims, ReplicaRenames renames, UnfinishedUnlinks unfinished) {
        return new LinkHandler(store, claims, renames, unfinished, State.LIVE, State.UNLINKED);
    }

    /** RELINK tries every volume: one may be back before the probes know. */
    static LinkHandler relink(IndexStore store, KeyClaims claims, ReplicaRenames renames, UnfinishedUnlinks unfinished) {
        return new LinkHandler(store, claims, renames, unfinished, State.UNLINKED, State.LIVE);
    }

    @Override
    int change(HttpServerExchange exchange, Key key) throws HttpFailure {
        Record record = store.get(key.bytes());
        if (record == null || record.state() != from) {
            throw new HttpFailure(404, "");
        }
        if (record.next() != null) { // a replace left unfinished: its new value has the unlinked name
            throw new HttpFailure(409, key + " is being replaced; the background settling finishes that first");
        }
        if (to == State.UNLINKED) {
            if (key.tooLongToWrite()) { // adopted from minikeyvalue, which allows 6 bytes more
                throw key.tooLongToWriteFailure("UNLINK (DELETE it instead)");
            }
            Record unlinked = record.withState(to);
            KeyChanged.swap(store, key, record, unlinked);
            try {
                renames.rename(key, record.locations(), true, true);
            } catch (VolumeFailure e) {
                log.warn("UNLINK {}: {}; its files keep their live name until the index can rename them", key, e.getMessage());
                unfinished.add(key, unlinked);
            }
        } else {
            try {
                renames.rename(key, record.locations(), false, false);
            } catch (VolumeFailure e) {
                unfinished.add(key, record); // some files may have the live name already
                throw e;
            }
            KeyChanged.swap(store, key, record, record.withState(to));
        }
        return 204;
    }
}
