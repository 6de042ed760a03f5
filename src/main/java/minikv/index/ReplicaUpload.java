package minikv.index;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import minikv.http.Exchange;
import minikv.http.OutcomeUnknown;
import minikv.cluster.ReplicaName;
import minikv.placement.Placement;

/**
 * One value on its way to all its replicas at once: a PUT per location, fed the same bytes as
 * they arrive from the client, with nothing buffered in between, all from the calling thread.
 *
 * <p>nginx renames a PUT body into place only once it has all of it, so a replica appears only
 * when its last byte is sent. Until {@link #finish} nothing is visible on any volume, and
 * {@link #close} without {@link #finish} just drops the connections. {@link #finish} ends every
 * body first and only then waits for the answers, so the volumes store their replicas in parallel.
 *
 * <p>Socket writes have no timeout in Java, so a watchdog ({@link #checkProgress}) drops the
 * connections when a volume stops taking bytes or answering: at once if its probes say it is
 * down, after {@link #STALL_LIMIT} otherwise.
 */
final class ReplicaUpload implements AutoCloseable {

    /**
     * How long a volume that still answers probes may stall a transfer. Far longer than
     * --voltimeout: a volume's disk flushing a few GiB of writeback can pause it for seconds.
     */
    private static final Duration STALL_LIMIT = Duration.ofSeconds(30);
    /**
     * Bodies up to this size are held whole and sent at {@link #finish}, on pooled connections:
     * a request that meets a connection the volume has closed meanwhile can then be sent again
     * (see {@link minikv.http.ClusterHttp}). Larger bodies stream, each on a new connection.
     */
    private static final int SMALL_BODY = 64 * 1024;

    private final Volumes volumes;
    private final List<String> locations;
    private final byte[] key;
    /** Written under the unlinked name: the new value of a replace (see Record#next). */
    private final boolean unlinked;
    private final long length;
    /** The whole body of a small value, or null when it streams. */
    private final byte[] held;
    private int heldLength;
    private final Exchange[] exchanges;
    /** Per replica, when its current blocking call began (System.nanoTime), or 0 between calls. */
    private final AtomicLongArray busySince;
    /** Set by the watchdog when it gave up on a volume. */
    private volatile VolumeFailure abandoned;
    private boolean finished;

    private ReplicaUpload(Volumes volumes, List<String> locations, byte[] key, long length, boolean unlinked) {
        this.unlinked = unlinked;
        this.volumes = volumes;
        this.locations = locations;
        this.key = key;
        this.length = length;
        this.held = length >= 0 && length <= SMALL_BODY ? new byte[(int) length] : null;
        this.exchanges = new Exchange[locations.size()];
        this.busySince = new AtomicLongArray(locations.size());
    }

    /**
     * Sends the request head to every location, unless the body is small enough to be held
     * and sent whole at {@link #finish}.
     *
     * @param length   the body's length, which the volumes are told up front; -1 to send it chunked
     * @param unlinked write the file under the key's unlinked name rather than its live one
     */
    static ReplicaUpload open(Volumes volumes, List<String> locations, byte[] key, long length, boolean unlinked)
            throws VolumeFailure {
        ReplicaUpload upload = new ReplicaUpload(volumes, locations, key, length, unlinked);
        if (upload.held == null) {
            for (int i = 0; i < locations.size(); i++) {
                try {
                    upload.busy(i);
                    upload.exchanges[i] = volumes.http().stream(Placement.volumeOf(locations.get(i)), "PUT",
                            ReplicaName.path(locations.get(i), key, unlinked), length, STALL_LIMIT);
                    upload.idle(i);
                } catch (IOException e) {
                    upload.close();
                    throw upload.failure(i, e);
                }
            }
        }
        return upload;
    }

    /** Sends the same bytes to every volume (or holds them, for a small body). */
    void write(byte[] buffer, int offset, int length) throws VolumeFailure {
        if (held != null) {
            if (heldLength + length > held.length) {
                throw new IllegalStateException("more body than its Content-Length"); // Undertow stops it first
            }
            System.arraycopy(buffer, offset, held, heldLength, length);
            heldLength += length;
            return;
        }
        for (int i = 0; i < exchanges.length; i++) {
            try {
                busy(i);
                exchanges[i].body().write(buffer, offset, length);
                idle(i);
            } catch (IOException e) {
                throw failure(i, e);
            }
        }
    }

    /**
     * Ends every body, then waits for the answer of every volume that got its whole body; each
     * replica whose volume answered 201 or 204 then exists. A volume that got the whole body
     * but did not answer may still store it: the upload's key is then handed to {@link
     * UnknownOutcomes}, which holds off its rollback until the volume is done with it.
     *
     * @throws VolumeFailure if any volume did not store its replica (others may have)
     */
    void finish() throws VolumeFailure {
        VolumeFailure first = null;
        boolean[] ended = new boolean[exchanges.length];
        for (int i = 0; i < exchanges.length && first == null; i++) {
            try {
                busy(i);
                if (held != null) {
                    exchanges[i] = volumes.http().send(Placement.volumeOf(locations.get(i)), "PUT",
                            ReplicaName.path(locations.get(i), key, unlinked), held, STALL_LIMIT);
                } else {
                    exchanges[i].endBody();
                }
                idle(i);
                ended[i] = true;
            } catch (IOException e) {
                first = failure(i, e);
            }
        }
        // Even after a failure: a volume that has its whole body must be heard out, or a
        // rollback's DELETE could overtake the PUT on its way to the disk.
        for (int i = 0; i < exchanges.length; i++) {
            if (ended[i]) {
                VolumeFailure failed = answer(i);
                first = first == null ? failed : first;
            }
        }
        if (first != null) {
            throw first;
        }
        finished = true;
    }

    private VolumeFailure answer(int replica) {
        try {
            busy(replica);
            int code = exchanges[replica].status();
            idle(replica);
            if (code == 201 || code == 204) {
                return null;
            }
            volumes.stats().replicaWriteFailed(locations.get(replica));
            return VolumeFailure.answered(locations.get(replica), "PUT", code);
        } catch (OutcomeUnknown e) {
            volumes.outcomeUnknown(key, locations.get(replica), exchanges[replica]);
            return failure(replica, e);
        } catch (IOException e) {
            return failure(replica, e);
        }
    }

    /** Drops the connections of an unfinished upload: no volume receives the whole body. */
    @Override
    public void close() {
        volumes.forget(this);
        if (!finished) {
            disconnectAll();
        }
    }

    /** Called by the watchdog: gives up on a volume that is down or has stalled. */
    void checkProgress() {
        if (abandoned != null) {
            // A held request may have opened a new connection after the abandon (sending
            // again after a stale pooled one failed); close it too.
            for (int i = 0; i < locations.size(); i++) {
                if (busySince.get(i) != 0) {
                    disconnectAll();
                    return;
                }
            }
            return;
        }
        for (int i = 0; i < locations.size() && abandoned == null; i++) {
            long since = busySince.get(i);
            if (since == 0) {
                continue;
            }
            String down = volumes.health().downReason(locations.get(i));
            if (down != null) {
                abandon(i, VolumeFailure.down(down));
            } else if (System.nanoTime() - since > STALL_LIMIT.toNanos()) {
                abandon(i, VolumeFailure.down("volume " + Placement.volumeOf(locations.get(i))
                        + " took no data for " + STALL_LIMIT.toSeconds() + " s"));
            }
        }
    }

    private void abandon(int replica, VolumeFailure why) {
        volumes.stats().replicaWriteFailed(locations.get(replica));
        abandoned = why;
        disconnectAll(); // closing a socket wakes the thread blocked on it
    }

    private void disconnectAll() {
        for (Exchange exchange : exchanges) {
            if (exchange != null) {
                exchange.abort();
            }
        }
    }

    private void busy(int replica) {
        busySince.set(replica, System.nanoTime());
    }

    private void idle(int replica) {
        busySince.set(replica, 0);
    }

    private VolumeFailure failure(int replica, IOException e) {
        idle(replica);
        if (abandoned != null) {
            return abandoned; // counted against the volume given up on, not the others cut off with it
        }
        volumes.stats().replicaWriteFailed(locations.get(replica));
        return volumes.failed(locations.get(replica), e);
    }
}
