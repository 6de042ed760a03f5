package minikv.index;

import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.List;
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
    static final Duration STALL_LIMIT = Duration.ofSeconds(30);
    private static final int CHUNK = 64 * 1024;

    private final Volumes volumes;
    private final List<String> locations;
    private final HttpURLConnection[] connections;
    private final OutputStream[] bodies;
    /** When the current blocking call to a volume began (System.nanoTime), or 0 between calls. */
    private volatile long busySince;
    private volatile int busyWith;
    /** Set by the watchdog when it gave up on a volume. */
    private volatile VolumeFailure abandoned;
    private boolean finished;

    private ReplicaUpload(Volumes volumes, List<String> locations) {
        this.volumes = volumes;
        this.locations = locations;
        this.connections = new HttpURLConnection[locations.size()];
        this.bodies = new OutputStream[locations.size()];
    }

    /**
     * Sends the request line and headers to every location.
     *
     * @param length the body's length, which the volumes are told up front; -1 to send it chunked
     */
    static ReplicaUpload open(Volumes volumes, List<String> locations, byte[] key, long length) throws VolumeFailure {
        ReplicaUpload upload = new ReplicaUpload(volumes, locations);
        try {
            for (int i = 0; i < locations.size(); i++) {
                HttpURLConnection c = volumes.connect(locations.get(i), key, "PUT", STALL_LIMIT);
                c.setDoOutput(true);
                if (length >= 0) {
                    c.setFixedLengthStreamingMode(length);
                } else {
                    c.setChunkedStreamingMode(CHUNK);
                }
                upload.connections[i] = c;
                upload.busy(i);
                upload.bodies[i] = c.getOutputStream();
                upload.idle();
            }
            return upload;
        } catch (IOException e) {
            upload.close();
            throw upload.failure(upload.busyWith, e);
        }
    }

    /** Sends the same bytes to every volume. */
    void write(byte[] buffer, int offset, int length) throws VolumeFailure {
        for (int i = 0; i < bodies.length; i++) {
            try {
                busy(i);
                bodies[i].write(buffer, offset, length);
                idle();
            } catch (IOException e) {
                throw failure(i, e);
            }
        }
    }

    /**
     * Ends every body and waits for every volume's answer; each one's replica then exists.
     *
     * @throws VolumeFailure if any volume did not store its replica (others may have)
     */
    void finish() throws VolumeFailure {
        for (int i = 0; i < bodies.length; i++) {
            try {
                busy(i);
                bodies[i].close();
                idle();
            } catch (IOException e) {
                throw failure(i, e);
            }
        }
        for (int i = 0; i < connections.length; i++) {
            try {
                busy(i);
                int code = connections[i].getResponseCode();
                Volumes.drain(connections[i]);
                idle();
                if (code != 201 && code != 204) {
                    throw VolumeFailure.answered(locations.get(i), "PUT", code);
                }
            } catch (IOException e) {
                throw failure(i, e);
            }
        }
        finished = true;
    }

    /** Drops the connections of an unfinished upload: no volume receives the whole body. */
    @Override
    public void close() {
        volumes.forget(this);
        if (!finished) {
            for (HttpURLConnection c : connections) {
                if (c != null) {
                    c.disconnect();
                }
            }
        }
    }

    /** Called by the watchdog: gives up on a volume that is down or has stalled. */
    void checkProgress() {
        long since = busySince;
        if (since == 0 || abandoned != null) {
            return;
        }
        String location = locations.get(busyWith);
        String down = volumes.health().downReason(location);
        if (down != null) {
            abandon(VolumeFailure.down(down));
        } else if (System.nanoTime() - since > STALL_LIMIT.toNanos()) {
            abandon(VolumeFailure.down("volume " + Placement.volumeOf(location)
                    + " took no data for " + STALL_LIMIT.toSeconds() + " s"));
        }
    }

    private void abandon(VolumeFailure why) {
        abandoned = why;
        for (HttpURLConnection c : connections) {
            if (c != null) {
                c.disconnect(); // closing the socket wakes the thread blocked on it
            }
        }
    }

    private void busy(int replica) {
        busyWith = replica;
        busySince = System.nanoTime();
    }

    private void idle() {
        busySince = 0;
    }

    private VolumeFailure failure(int replica, IOException e) {
        idle();
        if (abandoned != null) {
            return abandoned;
        }
        volumes.health().reportFailure(locations.get(replica), e.toString());
        return VolumeFailure.unreachable(locations.get(replica), e);
    }
}
