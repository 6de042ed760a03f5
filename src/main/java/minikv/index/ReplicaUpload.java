package minikv.index;

import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;
import minikv.placement.Placement;

/**
 * One value on its way to all its replicas at once: a PUT per location, fed the same bytes as
 * they arrive from the client, with nothing buffered in between.
 *
 * <p>nginx renames a PUT body into place only once it has all of it, so a replica appears only
 * when its last byte is sent. Until {@link #finish} nothing is visible on any volume, and
 * {@link #close} without {@link #finish} just drops the connections.
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
     * Bodies up to this size are handed to HttpURLConnection whole, to send at {@link #finish}:
     * it can then resend one on a fresh connection when a pooled connection turns out to have
     * been closed by the volume (restarted, say). In streaming mode it cannot.
     */
    private static final int SMALL_BODY = 64 * 1024;
    private static final int CHUNK = 64 * 1024;

    private final Volumes volumes;
    private final List<String> locations;
    private final HttpURLConnection[] connections;
    private final OutputStream[] bodies;
    /** Per replica, when its current blocking call began (System.nanoTime), or 0 between calls. */
    private final AtomicLongArray busySince;
    /** Set by the watchdog when it gave up on a volume. */
    private volatile VolumeFailure abandoned;
    private boolean finished;

    private ReplicaUpload(Volumes volumes, List<String> locations) {
        this.volumes = volumes;
        this.locations = locations;
        this.connections = new HttpURLConnection[locations.size()];
        this.bodies = new OutputStream[locations.size()];
        this.busySince = new AtomicLongArray(locations.size());
    }

    /**
     * Sends the request line and headers to every location.
     *
     * @param length the body's length, which the volumes are told up front; -1 to send it chunked
     */
    static ReplicaUpload open(Volumes volumes, List<String> locations, byte[] key, long length) throws VolumeFailure {
        ReplicaUpload upload = new ReplicaUpload(volumes, locations);
        for (int i = 0; i < locations.size(); i++) {
            try {
                HttpURLConnection c = volumes.connect(locations.get(i), key, "PUT", STALL_LIMIT);
                c.setDoOutput(true);
                if (length > SMALL_BODY) {
                    c.setFixedLengthStreamingMode(length);
                } else if (length < 0) {
                    c.setChunkedStreamingMode(CHUNK);
                } // else buffered by HttpURLConnection until finish()
                upload.connections[i] = c;
                upload.busy(i);
                upload.bodies[i] = c.getOutputStream();
                upload.idle(i);
            } catch (IOException e) {
                upload.close();
                throw upload.failure(i, e);
            }
        }
        return upload;
    }

    /** Sends the same bytes to every volume. */
    void write(byte[] buffer, int offset, int length) throws VolumeFailure {
        for (int i = 0; i < bodies.length; i++) {
            try {
                busy(i);
                bodies[i].write(buffer, offset, length);
                idle(i);
            } catch (IOException e) {
                throw failure(i, e);
            }
        }
    }

    /**
     * Ends every body and waits for every volume's answer, all at once; each replica whose
     * volume answered 201 or 204 then exists.
     *
     * @throws VolumeFailure if any volume did not store its replica (others may have)
     */
    void finish() throws VolumeFailure {
        List<Supplier<VolumeFailure>> answers = new ArrayList<>();
        for (int i = 0; i < bodies.length; i++) {
            int replica = i;
            answers.add(() -> finish(replica));
        }
        volumes.allAtOnce(answers);
        finished = true;
    }

    private VolumeFailure finish(int replica) {
        if (abandoned != null) {
            return abandoned; // its connection is closed; asking it for an answer would reconnect
        }
        try {
            busy(replica);
            bodies[replica].close();
            int code = connections[replica].getResponseCode();
            Volumes.drain(connections[replica]);
            idle(replica);
            if (code == 201 || code == 204) {
                return null;
            }
            volumes.stats().replicaWriteFailed(locations.get(replica));
            return VolumeFailure.answered(locations.get(replica), "PUT", code);
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
            // A call that began after the abandon may have opened a new connection (a
            // disconnected HttpURLConnection reconnects when asked for its answer); close it too.
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
        for (HttpURLConnection c : connections) {
            if (c != null) {
                c.disconnect();
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
