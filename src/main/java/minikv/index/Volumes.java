package minikv.index;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import minikv.ops.MinFree;
import minikv.ops.VolumeStats;
import minikv.placement.Placement;
import minikv.placement.VolumeHealth;
import minikv.tools.ReplicaName;
import minikv.security.ClusterSecret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index's side of its volume servers: plain HTTP to nginx (HttpURLConnection, whose
 * keep-alive pool measured twice the JDK HttpClient's throughput here), their health, parallel
 * replica deletes, and a watchdog over uploads in flight.
 */
final class Volumes implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Volumes.class);

    /** How often probes run, and how often the watchdog looks at uploads. */
    private static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
    private static final long WATCHDOG_MS = 100;

    private final Duration timeout;
    /** Sent with every request to a volume: volumes started with the secret refuse writes without it. */
    private final Optional<ClusterSecret> secret;
    private final VolumeHealth health;
    private final VolumeStats stats;
    private final MinFree minFree;
    private final ExecutorService parallel = Executors.newCachedThreadPool(daemon("volume-io"));
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(daemon("volume-watchdog"));
    private final Set<ReplicaUpload> uploads = ConcurrentHashMap.newKeySet();

    /**
     * @param timeout the longest a volume may take to accept a connection or answer a probe or delete
     * @param secret  sent with every request to a volume, probes included
     * @param stats   where probes and failed replica writes are counted
     * @param minFree the room a write must leave on each of its volumes
     */
    Volumes(List<String> volumes, Duration timeout, Optional<ClusterSecret> secret, VolumeStats stats, MinFree minFree) {
        this.timeout = timeout;
        this.secret = secret;
        this.stats = stats;
        this.minFree = minFree;
        // A volume with --signed-reads serves its status file, like everything else, only with the secret.
        this.health = new VolumeHealth(volumes, new VolumeStatusProbe(timeout, stats, this::sendSecret), PROBE_INTERVAL);
    }

    /** Learns which volumes are up, then keeps watching. */
    void start() {
        health.start();
        watchdog.scheduleWithFixedDelay(this::watch, WATCHDOG_MS, WATCHDOG_MS, TimeUnit.MILLISECONDS);
    }

    private void watch() {
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

    /** Streams one value to every location at once; see {@link ReplicaUpload}. */
    ReplicaUpload upload(List<String> locations, byte[] key, long length) throws VolumeFailure {
        ReplicaUpload upload = ReplicaUpload.open(this, locations, key, length);
        uploads.add(upload);
        return upload;
    }

    void forget(ReplicaUpload upload) {
        uploads.remove(upload);
    }

    /**
     * Deletes the key's replica at every location, in parallel: the file under its live name
     * if {@code live}, and under its unlinked name ({@link ReplicaName}) if {@code unlinked}. A
     * file that is not there counts as deleted.
     *
     * @throws VolumeFailure the first failure, once every delete has finished
     */
    void deleteAll(List<String> locations, byte[] key, boolean live, boolean unlinked) throws VolumeFailure {
        List<Supplier<VolumeFailure>> deletes = new ArrayList<>();
        for (String location : locations) {
            if (live) {
                deletes.add(() -> delete(location, replicaUrl(location, key)));
            }
            if (unlinked) {
                deletes.add(() -> delete(location, ReplicaName.url(location, key, true)));
            }
        }
        if (!deletes.isEmpty()) {
            allAtOnce(deletes);
        }
    }

    /**
     * Makes blocking calls to volumes at the same time, the last on this thread, and waits for
     * all of them.
     *
     * @throws VolumeFailure the first failure any call returned
     */
    void allAtOnce(List<Supplier<VolumeFailure>> calls) throws VolumeFailure {
        List<CompletableFuture<VolumeFailure>> others = calls.subList(0, calls.size() - 1).stream()
                .map(call -> CompletableFuture.supplyAsync(call, parallel))
                .toList();
        VolumeFailure failure = calls.get(calls.size() - 1).get();
        for (CompletableFuture<VolumeFailure> other : others) {
            VolumeFailure f = other.join();
            failure = failure == null ? f : failure;
        }
        if (failure != null) {
            throw failure;
        }
    }

    private VolumeFailure delete(String location, String url) {
        try {
            HttpURLConnection c = open(url, "DELETE", timeout);
            int code = c.getResponseCode();
            drain(c);
            return code / 100 == 2 || code == 404 ? null : VolumeFailure.answered(location, "DELETE", code);
        } catch (IOException e) {
            return failed(location, e);
        }
    }

    /**
     * A request to {@code location} failed. A refused connection or a timeout means the volume
     * is down until a probe says otherwise; a connection cut short may just have been a pooled
     * one the volume had closed, so it says nothing about the volume.
     */
    VolumeFailure failed(String location, IOException e) {
        if (e instanceof ConnectException || e instanceof SocketTimeoutException || e instanceof NoRouteToHostException) {
            health.reportFailure(location, e.toString());
        }
        return VolumeFailure.unreachable(location, e);
    }

    /** Where the key's replica at {@code location} is, e.g. {@code http://host:3001/sv03/5d/41/aGVsbG8=}. */
    static String replicaUrl(String location, byte[] key) {
        return "http://" + Placement.volumeOf(location) + Placement.replicaPath(location, key);
    }

    /** A request for the key's replica at {@code location}, not yet sent. */
    HttpURLConnection connect(String location, byte[] key, String method, Duration readTimeout) throws IOException {
        return open(replicaUrl(location, key), method, readTimeout);
    }

    private HttpURLConnection open(String url, String method, Duration readTimeout) throws IOException {
        // Straight to the volume, never through a proxy the JVM may be configured with; it also
        // spares each request the proxy selector's lookup.
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection(Proxy.NO_PROXY);
        c.setRequestMethod(method);
        c.setInstanceFollowRedirects(false);
        c.setConnectTimeout((int) timeout.toMillis());
        c.setReadTimeout((int) readTimeout.toMillis());
        sendSecret(c);
        return c;
    }

    private void sendSecret(HttpURLConnection c) {
        secret.ifPresent(s -> c.setRequestProperty(ClusterSecret.HEADER, s.reveal()));
    }

    /** Reads what is left of an answer so that its connection goes back to the keep-alive pool. */
    static void drain(HttpURLConnection c) throws IOException {
        InputStream body = c.getResponseCode() >= 400 ? c.getErrorStream() : c.getInputStream();
        if (body != null) {
            try (body) {
                body.transferTo(OutputStream.nullOutputStream());
            }
        }
    }

    @Override
    public void close() {
        health.close();
        watchdog.shutdownNow();
        parallel.shutdownNow();
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            return t;
        };
    }
}
