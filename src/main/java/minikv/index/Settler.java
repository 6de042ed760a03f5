package minikv.index;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import minikv.store.IndexStore;
import minikv.store.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles keys left PENDING or DELETING. At startup, before the index serves, every PENDING
 * write (left by a crash, never acknowledged) is rolled back: its replicas deleted where
 * present, its record dropped (or, over an unlinked value, that value's record restored); every
 * DELETING key is finished the same way. A key with a request of unknown outcome
 * ({@link UnknownOutcomes}) waits until the volume has answered it. What cannot be
 * settled at once because a volume is down is retried in the background, every 5 s: so is every
 * key the {@link Eraser} could not finish (a DELETE that answered 503, a PUT whose rollback
 * failed). On a shared store only the process that owns such a key may settle it while it runs,
 * so it must not wait for a client's retry, which may reach another process. A write rolled back
 * in the background is swept once more a little later (see {@link #sweep}).
 *
 * <p>On a store shared by several index processes, startup leaves alone the keys another
 * running process is changing, and the background retry also settles the keys of any process
 * that has stopped running ({@link IndexStore#orphans}), without waiting for it to restart.
 */
final class Settler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Settler.class);
    private static final long RETRY_SECONDS = 5;
    /** Ample time for a volume that just resumed to finish the requests it had buffered. */
    private static final long SWEEP_DELAY_SECONDS = 2;

    private final IndexStore store;
    private final Eraser eraser;
    private final KeyClaims claims;
    private final Queue<Key> later = new ConcurrentLinkedQueue<>();
    /** The keys in {@link #later}: each is queued once, however often it fails. */
    private final Set<ByteBuffer> queued = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "index-settler");
        t.setDaemon(true);
        return t;
    });

    /** Also makes the index's one {@link Eraser}, which hands it what it cannot finish. */
    Settler(IndexStore store, Volumes volumes, KeyClaims claims) {
        this.store = store;
        this.eraser = new Eraser(store, volumes, this::settleLater);
        this.claims = claims;
    }

    Eraser eraser() {
        return eraser;
    }

    /** Rolls back PENDING writes and finishes DELETING ones now, then keeps retrying what is left. */
    void start() {
        List<IndexStore.Entry> unsettled = store.unsettled();
        int settled = 0;
        for (IndexStore.Entry entry : unsettled) {
            Key key = Key.fromStored(entry.key());
            if (settle(key, false)) {
                settled++;
            } else {
                settleLater(key);
            }
        }
        if (!unsettled.isEmpty()) {
            log.info("settled {} unfinished PUTs and DELETEs; {} keys left to settle in the background", settled,
                    later.size());
        }
        background.scheduleWithFixedDelay(this::retry, RETRY_SECONDS, RETRY_SECONDS, TimeUnit.SECONDS);
    }

    /** A key that could not be settled now (a volume is down): try again in the background. */
    void settleLater(Key key) {
        if (queued.add(ByteBuffer.wrap(key.bytes()))) {
            later.add(key);
        }
    }

    private void retry() {
        try {
            List<IndexStore.Entry> orphans = store.orphans();
            if (!orphans.isEmpty()) {
                log.info("settling {} unfinished PUTs and DELETEs left by an index process that stopped", orphans.size());
            }
            for (IndexStore.Entry orphan : orphans) {
                Key key = Key.fromStored(orphan.key());
                if (!settle(key, true)) {
                    settleLater(key);
                }
            }
        } catch (RuntimeException e) {
            log.warn("cannot look for keys left by stopped index processes: {}", e.getMessage());
        }
        for (int n = later.size(); n > 0; n--) {
            Key key = later.poll();
            queued.remove(ByteBuffer.wrap(key.bytes()));
            if (!settle(key, true)) {
                settleLater(key);
            }
        }
    }

    /**
     * Erases the key if it is still unsettled; true once it needs nothing more.
     *
     * @param afterFailure the key waited for a volume that was unreachable, maybe hung
     */
    private boolean settle(Key key, boolean afterFailure) {
        try (KeyClaims.Claim claim = claims.tryClaim(key)) {
            if (claim == null) {
                return false; // a client is changing it right now
            }
            Record record = store.get(key.bytes());
            if (record != null && record.unsettled()) {
                eraser.settle(key, record);
                if (afterFailure && record.state() == Record.State.PENDING) {
                    background.schedule(() -> sweep(key, record), SWEEP_DELAY_SECONDS, TimeUnit.SECONDS);
                }
            }
            return true;
        } catch (KeyChanged e) {
            log.debug("not settling {}: {}", key, e.getMessage());
            return true; // another running index process's; settled here only if it stops
        } catch (HttpFailure e) {
            log.debug("cannot settle {} yet: {}", key, e.getMessage());
            return false;
        } catch (RuntimeException e) {
            log.warn("cannot settle {}: {}", key, e.toString());
            return false;
        }
    }

    /**
     * Deletes once more the live-name replicas of a write that was rolled back while one of its
     * volumes was unreachable. A hung volume (stopped, or stalled on its disk) may hold the whole
     * body, last byte included, in its socket buffer; once it resumes, nginx completes that PUT and
     * renames the file into place, possibly after the rollback's DELETE reached it.
     *
     * <p>The key is first recorded as that rolled-back write again, from the record the rollback
     * left (none, or the unlinked one it restored), and then settled again: held that way, no
     * other request or index process can write, relink or rename the key while its files are
     * deleted, which a check of the record alone would not ensure on a shared store.
     */
    private void sweep(Key key, Record rolledBack) {
        try (KeyClaims.Claim claim = claims.tryClaim(key)) {
            // A client is writing the key, or has: its volumes were up to take that write, so
            // they had long finished what they had buffered, and the new value replaced it.
            if (claim == null || !store.compareAndSetUnsynced(key.bytes(), rolledBack.replacing(), rolledBack)) {
                return;
            }
            eraser.settle(key, rolledBack);
        } catch (HttpFailure | RuntimeException e) {
            log.debug("cannot sweep {} yet: {}", key, e.getMessage());
            settleLater(key); // if it is held, the background settles it again
        }
    }

    @Override
    public void close() {
        background.shutdownNow();
    }
}
