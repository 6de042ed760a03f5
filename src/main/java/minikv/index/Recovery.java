package minikv.index;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import minikv.store.IndexStore;
import minikv.store.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles what a crash left half-done. Before the index serves, every PENDING write is rolled
 * back (its replicas deleted where present, its record dropped): it was never acknowledged.
 * DELETING keys (and PENDING ones whose volumes are down) are then finished in the background,
 * retried until their volumes let them.
 */
final class Recovery implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Recovery.class);
    private static final long RETRY_SECONDS = 5;

    private final IndexStore store;
    private final Eraser eraser;
    private final KeyClaims claims;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "index-recovery");
        t.setDaemon(true);
        return t;
    });
    private final List<Key> leftovers = new ArrayList<>();

    Recovery(IndexStore store, Eraser eraser, KeyClaims claims) {
        this.store = store;
        this.eraser = eraser;
        this.claims = claims;
    }

    /** Rolls back PENDING writes now and schedules the rest. */
    void start() {
        for (IndexStore.Entry entry : store.unsettled()) {
            Key key = Key.fromStored(entry.key());
            if (entry.record().state() == Record.State.PENDING) {
                try {
                    eraser.erase(key, entry.record());
                    log.info("rolled back the unfinished PUT of {}", key);
                    continue;
                } catch (VolumeFailure e) {
                    log.warn("cannot roll back the unfinished PUT of {} yet: {}", key, e.getMessage());
                }
            }
            leftovers.add(key);
        }
        if (!leftovers.isEmpty()) {
            log.info("{} unfinished deletes will be finished in the background", leftovers.size());
            background.scheduleWithFixedDelay(this::finishLeftovers, 0, RETRY_SECONDS, TimeUnit.SECONDS);
        }
    }

    private void finishLeftovers() {
        leftovers.removeIf(this::settle);
        if (leftovers.isEmpty()) {
            log.info("recovery done");
            background.shutdown();
        }
    }

    /** True once the key needs nothing more; false to try again later. */
    private boolean settle(Key key) {
        try (KeyClaims.Claim claim = claims.tryClaim(key)) {
            if (claim == null) {
                return false; // a client is changing it right now
            }
            Record record = store.get(key.bytes());
            if (record != null && (record.state() == Record.State.PENDING || record.state() == Record.State.DELETING)) {
                eraser.erase(key, record);
            }
            return true;
        } catch (VolumeFailure e) {
            return false;
        } catch (RuntimeException e) {
            log.warn("recovery of {} failed: {}", key, e.toString());
            return false;
        }
    }

    @Override
    public void close() {
        background.shutdownNow();
    }
}
