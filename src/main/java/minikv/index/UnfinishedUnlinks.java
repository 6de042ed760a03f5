package minikv.index;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import minikv.store.IndexStore;
import minikv.store.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UNLINKED keys whose files may not all have the unlinked name yet: an UNLINK that could not
 * rename on every volume (one down, hung, or with a request about the key unanswered), or a
 * RELINK that failed half-way. Such a file would come back as live after a rebuild, so the index
 * renames it as soon as its volume lets it, retrying every second, each time under the key's
 * claim. A later change of the key takes over: RELINK renames every file, DELETE removes both
 * names, and a PUT finishes the UNLINK where it writes.
 *
 * <p>The list lives in memory: if the index stops before it is done, {@code verify --repair}
 * renames what is left.
 */
final class UnfinishedUnlinks implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UnfinishedUnlinks.class);
    private static final long RETRY_MS = 1000;

    private record Waiting(Key key, Record unlinked) {}

    private final IndexStore store;
    private final KeyClaims claims;
    private final ReplicaRenames renames;
    private final Map<ByteBuffer, Waiting> waiting = new ConcurrentHashMap<>();
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "index-unlinks");
        t.setDaemon(true);
        return t;
    });

    UnfinishedUnlinks(IndexStore store, KeyClaims claims, ReplicaRenames renames) {
        this.store = store;
        this.claims = claims;
        this.renames = renames;
    }

    void start() {
        background.scheduleWithFixedDelay(this::retry, RETRY_MS, RETRY_MS, TimeUnit.MILLISECONDS);
    }

    /** The key, recorded as {@code unlinked}, may have files under the live name: rename them later. */
    void add(Key key, Record unlinked) {
        waiting.put(ByteBuffer.wrap(key.bytes().clone()), new Waiting(key, unlinked));
    }

    private void retry() {
        for (Map.Entry<ByteBuffer, Waiting> entry : waiting.entrySet()) {
            if (finish(entry.getValue())) {
                waiting.remove(entry.getKey(), entry.getValue());
            }
        }
    }

    /** True once the key needs nothing more from here. */
    private boolean finish(Waiting w) {
        try (KeyClaims.Claim claim = claims.tryClaim(w.key())) {
            if (claim == null) {
                return false; // a client is changing it right now
            }
            if (!w.unlinked().equals(store.get(w.key().bytes()))) {
                return true; // changed since, by a request that settled the names itself
            }
            renames.rename(w.key(), w.unlinked().locations(), true, false);
            log.info("UNLINK {}: every file has the unlinked name now", w.key());
            return true;
        } catch (VolumeFailure e) {
            log.debug("UNLINK {}: cannot rename yet: {}", w.key(), e.getMessage());
            return false;
        } catch (RuntimeException e) {
            log.warn("UNLINK {}: cannot rename yet: {}", w.key(), e.toString());
            return false;
        }
    }

    @Override
    public void close() {
        background.shutdownNow();
    }
}
