package minikv.index;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import minikv.cluster.ReplicaName;
import minikv.http.ClusterHttp;
import minikv.http.Exchange;
import minikv.http.OutcomeUnknown;
import minikv.ops.MinFree;
import minikv.ops.VolumeStats;
import minikv.placement.Placement;
import minikv.placement.VolumeHealth;
import minikv.security.ClusterSecret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index's side of its volume servers: the HTTP client for replica writes and deletes
 * ({@link ClusterHttp}, which the probes and the tools' work share), their health, replica deletes sent to every volume at once, and a
 * watchdog over uploads in flight.
 */
final class Volumes implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Volumes.class);

    /** How often probes run, and how often the watchdog looks at uploads. */
    private static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
    private static final long WATCHDOG_MS = 100;
    private static final byte[] NO_BODY = new byte[0];
    /**
     * How much longer than --voltimeout a volume may take to delete a file, per GiB of it:
     * unlinking frees the file's blocks and drops its cached pages. Measured here, 1 GiB on disk
     * took 0.4 s to delete alone and 1.0 s with three volumes deleting at once on 2 cores; twice
     * that leaves room for a busy disk.
     */
    private static final double DELETE_SECONDS_PER_GIB = 2.0;

    private final Duration timeout;
    private final VolumeHealth health;
    private final VolumeStats stats;
    private final MinFree minFree;
    private final ClusterHttp http;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(daemon("volume-watchdog"));
    private final Set<ReplicaUpload> uploads = ConcurrentHashMap.newKeySet();
    private final UnknownOutcomes unknown;

    /**
     * @param timeout the longest a volume may take to accept a connection or answer a probe or delete
     * @param secret  sent with every request to a volume, probes included
     * @param stats   where probes and failed replica writes are counted
     * @param minFree the room a write must leave on each of its volumes
     */
    Volumes(List<String> volumes, Duration timeout, Optional<ClusterSecret> secret, VolumeStats stats, MinFree minFree) {
        this.timeout = timeout;
        this.stats = stats;
        this.minFree = minFree;
        // Every worker may have a request in flight to each volume.
        this.http = new ClusterHttp(timeout, secret, IndexServer.WORKER_THREADS);
        this.health = new VolumeHealth(volumes, new VolumeStatusProbe(http, timeout, stats), PROBE_INTERVAL);
        this.unknown = new UnknownOutcomes(health);
    }

    /** Learns which volumes are up, then keeps watching. */
    void start() {
        health.start();
        watchdog.scheduleWithFixedDelay(this::watch, WATCHDOG_MS, WATCHDOG_MS, TimeUnit.MILLISECONDS);
    }

    private void watch() {
        try {
            unknown.check();
        } catch (RuntimeException e) {
            log.error("watching requests of unknown outcome failed", e);
        }
        for (ReplicaUpload upload : uploads) {
            try {
                upload.checkProgress();
            } catch (RuntimeException e) {
                // A scheduled task that throws is never run again: this one must go on.
                log.error("the upload watchdog failed", e);
            }
        }
    }

    VolumeHealth health() {
        return health;
    }

    VolumeStats stats() {
        return stats;
    }

    ClusterHttp http() {
        return http;
    }

    /**
     * Returns once every request sent to a volume about {@code key} has been answered (or its
     * volume has closed the connection): until then the key can be neither changed nor settled
     * (see {@link UnknownOutcomes}).
     *
     * @throws VolumeFailure (503) saying which volume has not answered
     */
    void requireKnownOutcomes(byte[] key) throws VolumeFailure {
        String why = unknown.about(key);
        if (why != null) {
            throw VolumeFailure.down(why);
        }
    }

    /** How many requests to volumes await an answer that decides their outcome. */
    int unknownOutcomes() {
        return unknown.count();
    }

    /**
     * Refuses a value of {@code length} bytes (-1 if unknown) that would leave one of the volumes
     * of {@code locations} with less room than --min-free, as last reported by the volume.
     */
    void requireRoom(List<String> locations, long length) throws HttpFailure {
        for (String location : locations) {
            String refusal = minFree.refusal(Placement.volumeOf(location), stats.disk(location), length);
            if (refusal != null) {
                throw new HttpFailure(507, refusal + "; nothing stored");
            }
        }
    }

    /**
     * Streams one value to every location at once, under the key's live name or (a replace's
     * new value) its unlinked one; see {@link ReplicaUpload}.
     */
    ReplicaUpload upload(List<String> locations, byte[] key, long length, boolean unlinked) throws VolumeFailure {
        ReplicaUpload upload = ReplicaUpload.open(this, locations, key, length, unlinked);
        uploads.add(upload);
        return upload;
    }

    void forget(ReplicaUpload upload) {
        uploads.remove(upload);
    }

    /**
     * Deletes the key's replica at every location: the file under its live name if {@code
     * live}, and under its unlinked name ({@link ReplicaName}) if {@code unlinked}. Every delete
     * is sent before any answer is awaited, so the volumes work in parallel. A file that is not
     * there counts as deleted.
     *
     * @param bytes the size of the largest file that may be deleted, or -1 if unknown (see {@link #deleteDeadline})
     * @throws VolumeFailure the first failure, once every delete has finished
     */
    void deleteAll(List<String> locations, byte[] key, boolean live, boolean unlinked, long bytes) throws VolumeFailure {
        List<Request> deletes = new ArrayList<>();
        for (String location : locations) {
            if (live) {
                deletes.add(new Request(location, ReplicaName.path(location, key, false)));
            }
            if (unlinked) {
                deletes.add(new Request(location, ReplicaName.path(location, key, true)));
            }
        }
        sendAll(key, "DELETE", deletes, deleteDeadline(timeout, bytes), code -> code / 100 == 2 || code == 404);
    }

    /**
     * How long a volume may take to answer a DELETE of a file of {@code bytes} (-1: unknown, as
     * for a record from before version 3): --voltimeout, and {@link #DELETE_SECONDS_PER_GIB}
     * more per GiB. Held to the plain second, a 1 GiB value's DELETE answered 503 on a healthy
     * cluster, and its volume was taken for down until the next probe.
     */
    static Duration deleteDeadline(Duration timeout, long bytes) {
        return bytes <= 0 ? timeout : timeout.plusMillis((long) Math.ceil(bytes * DELETE_SECONDS_PER_GIB * 1000 / (1L << 30)));
    }

    /**
     * Renames the key's replica at every location from the live name to the unlinked name
     * ({@code toUnlinked}) or back: one WebDAV MOVE (an atomic rename) per volume, all sent
     * before any answer is awaited. A replica under neither name (already renamed, or lost:
     * verify reports it) counts as done.
     *
     * @throws VolumeFailure the first failure, once every rename has finished
     */
    void moveAll(List<String> locations, byte[] key, boolean toUnlinked) throws VolumeFailure {
        List<Request> moves = new ArrayList<>();
        for (String location : locations) {
            moves.add(new Request(location, ReplicaName.path(location, key, !toUnlinked),
                    "Destination", ReplicaName.path(location, key, toUnlinked), "Overwrite", "T"));
        }
        sendAll(key, "MOVE", moves, timeout, code -> code == 201 || code == 204 || code == 404);
    }

    /**
     * Gives the unlinked name to the key's file at every location that has it under the live
     * name only: where the unlinked name is taken already (412, the MOVE does not overwrite),
     * the live-name file is not the unlinked value's, and stays where it is.
     *
     * @throws VolumeFailure the first failure, once every rename has finished
     */
    void moveAllUnlessTaken(List<String> locations, byte[] key) throws VolumeFailure {
        List<Request> moves = new ArrayList<>();
        for (String location : locations) {
            moves.add(new Request(location, ReplicaName.path(location, key, false),
                    "Destination", ReplicaName.path(location, key, true), "Overwrite", "F"));
        }
        sendAll(key, "MOVE", moves, timeout, code -> code == 201 || code == 204 || code == 404 || code == 412);
    }

    /** One request of {@link #sendAll}, without a body. */
    private record Request(String location, String path, String... headers) {}

    /**
     * Sends {@code method} for every request, then collects every answer; an answer that is not
     * {@code ok}, or none within {@code deadline}, is a failure, and a request that may still be
     * acted on is handed to {@link UnknownOutcomes}.
     */
    private void sendAll(byte[] key, String method, List<Request> requests, Duration deadline, IntPredicate ok)
            throws VolumeFailure {
        Exchange[] sent = new Exchange[requests.size()];
        VolumeFailure first = null;
        for (int i = 0; i < sent.length; i++) {
            Request r = requests.get(i);
            try {
                sent[i] = http.send(Placement.volumeOf(r.location()), method, r.path(), NO_BODY, deadline, r.headers());
            } catch (IOException e) {
                first = first == null ? failed(r.location(), e) : first;
            }
        }
        for (int i = 0; i < sent.length; i++) {
            if (sent[i] == null) {
                continue;
            }
            String location = requests.get(i).location();
            try {
                int code = sent[i].status();
                if (!ok.test(code) && first == null) {
                    first = VolumeFailure.answered(location, method, code);
                }
            } catch (IOException e) {
                first = first == null ? failed(location, e) : first;
                if (e instanceof OutcomeUnknown) {
                    unknown.add(key, location, sent[i]); // it may still act after a later request
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** A request about {@code key} to {@code location} was sent whole and not answered: see {@link UnknownOutcomes}. */
    void outcomeUnknown(byte[] key, String location, Exchange exchange) {
        unknown.add(key, location, exchange);
    }

    /**
     * A request to {@code location} failed. A refused connection or a timeout means the volume
     * is down until a probe says otherwise; a connection cut short says nothing about the
     * volume (nginx closes one after some errors; a pooled one it closed was sent again).
     */
    VolumeFailure failed(String location, IOException e) {
        Throwable cause = e instanceof OutcomeUnknown ? e.getCause() : e;
        if (cause instanceof ConnectException || cause instanceof SocketTimeoutException
                || cause instanceof NoRouteToHostException) {
            health.reportFailure(location, cause.toString());
        }
        return e instanceof OutcomeUnknown
                ? VolumeFailure.down("volume " + Placement.volumeOf(location) + " did not answer: " + e.getMessage())
                : VolumeFailure.unreachable(location, e);
    }

    @Override
    public void close() {
        health.close();
        watchdog.shutdownNow();
        http.close();
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            return t;
        };
    }
}
