package minikv.index;

import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.util.function.Predicate;
import minikv.placement.Placement;
import minikv.store.IndexStore;
import minikv.store.Record;
import minikv.store.Record.State;
import minikv.tools.ReplicaName;
import minikv.tools.VolumeClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UNLINK /key hides a live value; RELINK /key brings it back (204), or 404 if the key is not in
 * the state they undo.
 *
 * <p>Each also renames the replicas (WebDAV MOVE, one atomic rename per volume) between the
 * live name and the unlinked name ({@link ReplicaName}), so that a rebuild from the volumes
 * alone knows which keys were unlinked. The order keeps the index from ever redirecting a read
 * to a name that is gone: UNLINK records first and renames after (a rename that fails is logged
 * and left to {@code verify --repair}; the key is unlinked either way); RELINK renames first and
 * records LIVE only once every replica is back under its live name (if a volume cannot rename,
 * 503/502 and the key stays unlinked; a retry finishes the job). UNLINK does not ask a volume
 * the probes say is down, so it stays quick while a volume hangs.
 */
final class LinkHandler extends KeyChangeHandler {

    private static final Logger log = LoggerFactory.getLogger(LinkHandler.class);

    private final IndexStore store;
    private final VolumeClient volumes;
    private final Predicate<String> knownDown;
    private final State from;
    private final State to;

    private LinkHandler(IndexStore store, KeyClaims claims, VolumeClient volumes, Predicate<String> knownDown,
                        State from, State to) {
        super(claims);
        this.store = store;
        this.volumes = volumes;
        this.knownDown = knownDown;
        this.from = from;
        this.to = to;
    }

    /**
     * @param volumes   renames with it; its timeouts should be the volume timeout, short, so that
     *                  a volume that hangs delays an UNLINK or RELINK by that much at most
     * @param knownDown whether a location is on a volume that probes say is down: UNLINK does not
     *                  even try it (RELINK does: the volume may be back before the probes know)
     */
    static LinkHandler unlink(IndexStore store, KeyClaims claims, VolumeClient volumes, Predicate<String> knownDown) {
        return new LinkHandler(store, claims, volumes, knownDown, State.LIVE, State.UNLINKED);
    }

    static LinkHandler relink(IndexStore store, KeyClaims claims, VolumeClient volumes, Predicate<String> knownDown) {
        return new LinkHandler(store, claims, volumes, knownDown, State.UNLINKED, State.LIVE);
    }

    @Override
    int change(HttpServerExchange exchange, Key key) throws HttpFailure {
        Record record = store.get(key.bytes());
        if (record == null || record.state() != from) {
            throw new HttpFailure(404, "");
        }
        if (to == State.UNLINKED) {
            store.put(key.bytes(), record.withState(to));
            try {
                rename(key, record);
            } catch (VolumeFailure e) {
                log.warn("UNLINK {}: {}; its files keep their live name until verify --repair renames them", key, e.getMessage());
            }
        } else {
            rename(key, record);
            store.put(key.bytes(), record.withState(to));
        }
        return 204;
    }

    /**
     * Renames every replica to the name of the new state. A replica already under the new
     * name (an earlier attempt renamed it) or under neither (lost: verify reports it) is skipped.
     */
    private void rename(Key key, Record record) throws VolumeFailure {
        boolean unlinking = to == State.UNLINKED;
        VolumeFailure first = null;
        for (String location : record.locations()) {
            if (unlinking && knownDown.test(location)) {
                first = first != null ? first : VolumeFailure.down("volume " + Placement.volumeOf(location) + " is down");
                continue;
            }
            try {
                volumes.move(ReplicaName.url(location, key.bytes(), !unlinking), ReplicaName.path(location, key.bytes(), unlinking));
            } catch (VolumeClient.Refused e) {
                first = first != null ? first : VolumeFailure.answered(location, "MOVE", e.status());
            } catch (IOException e) {
                first = first != null ? first : VolumeFailure.unreachable(location, e);
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
