package minikv.index;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import minikv.http.Exchange;
import minikv.placement.Placement;
import minikv.placement.VolumeHealth;

/**
 * Requests to volumes that were sent whole but never answered (a volume hung, or too slow):
 * each may still be carried out at any moment. While one is open on a key, nothing may settle
 * that key, because a DELETE sent now could reach the volume's disk before the PUT it is meant
 * to undo. So a failed write's rollback waits here, its key PENDING (absent to readers), and is
 * never counted as done before its outcome is known.
 *
 * <p>A request's outcome is known once the volume answers it or closes its connection: a
 * volume acts on a request before it answers, and a closed connection carries nothing more.
 * If the index had to close the connection itself (to free a thread stuck writing the last
 * bytes), the volume is instead given {@link #QUIET_AFTER_UP} of being up to finish what it had
 * buffered. The outcomes of an index that crashes are lost with its connections; startup's
 * settling and its later sweep (see {@link Settler}) stand in for them.
 */
final class UnknownOutcomes {

    /** How long a volume that could not be watched must be seen up before its buffered requests count as done. */
    static final Duration QUIET_AFTER_UP = Duration.ofSeconds(2);

    private final VolumeHealth health;
    private final Map<ByteBuffer, List<Open>> open = new ConcurrentHashMap<>();

    /** One request whose outcome is unknown. */
    private static final class Open {
        final String location;
        final Exchange exchange;
        /** When the volume was first seen up since it could no longer be watched (System.nanoTime), or 0. */
        long upSince;

        Open(String location, Exchange exchange) {
            this.location = location;
            this.exchange = exchange;
        }
    }

    UnknownOutcomes(VolumeHealth health) {
        this.health = health;
    }

    /** Records that {@code exchange}, a request about {@code key} to {@code location}, may still be carried out. */
    void add(byte[] key, String location, Exchange exchange) {
        open.computeIfAbsent(ByteBuffer.wrap(key.clone()), k -> new CopyOnWriteArrayList<>())
                .add(new Open(location, exchange));
    }

    /** Null if no request about {@code key} has an unknown outcome, else why the key must wait. */
    String about(byte[] key) {
        if (open.isEmpty()) {
            return null;
        }
        List<Open> requests = open.get(ByteBuffer.wrap(key));
        if (requests == null || requests.isEmpty()) {
            return null;
        }
        return "volume " + Placement.volumeOf(requests.get(0).location) + " was sent a request about this key and has"
                + " not answered it, so whether it carried it out is unknown; the key is settled once it answers";
    }

    /** How many requests have an unknown outcome. */
    int count() {
        return open.values().stream().mapToInt(List::size).sum();
    }

    /** Forgets the requests whose outcome is now known. Called often, from one thread. */
    void check() {
        for (Map.Entry<ByteBuffer, List<Open>> entry : open.entrySet()) {
            List<Open> requests = entry.getValue();
            requests.removeIf(this::known);
            open.computeIfPresent(entry.getKey(), (k, list) -> list.isEmpty() ? null : list);
        }
    }

    private boolean known(Open request) {
        if (!request.exchange.lostTrack()) {
            try {
                return request.exchange.outcomeKnownNow();
            } catch (IllegalStateException e) {
                // closed before its answer: fall through to the volume's time up
            }
        }
        long now = System.nanoTime();
        if (!health.isUp(request.location)) {
            request.upSince = 0;
            return false;
        }
        if (request.upSince == 0) {
            request.upSince = now;
        }
        return now - request.upSince >= QUIET_AFTER_UP.toNanos();
    }
}
