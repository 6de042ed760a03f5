package minikv.index;

import static minikv.index.KeyedHandler.onWorker;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.BlockingReadTimeoutHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.server.handlers.HttpContinueReadHandler;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import minikv.cluster.KeyDoctor;
import minikv.cluster.KeyMover;
import minikv.cluster.VolumeClient;
import minikv.ops.Operations;
import minikv.ops.OpsConfig;
import minikv.placement.Placement;
import minikv.s3.S3Credentials;
import minikv.s3.SigV4;
import minikv.security.ClusterSecret;
import minikv.security.LinkSigner;
import minikv.store.IndexStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.Options;

/** The index server: its store, its volumes, and the HTTP front wired to them. */
public final class IndexServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IndexServer.class);

    /** Threads for blocking work: each PUT holds one for the whole transfer of its body. */
    static final int WORKER_THREADS = 64;
    /** How long a volume may take to send the next bytes of a value the tools read or copy. */
    private static final Duration TOOL_READ_TIMEOUT = Duration.ofSeconds(30);
    /**
     * The longest --write-timeout: the volumes wait 10 minutes for a body (client_body_timeout in
     * volume.conf), and must outwait the index, or a stalled client would look like a failed volume.
     */
    static final Duration MAX_WRITE_TIMEOUT = Duration.ofMinutes(5);
    /** Request line and headers together. A key takes at most ~600 bytes, percent-encoded. */
    static final int MAX_HEADER_BYTES = 16 * 1024;
    static final int MAX_HEADERS = 64;
    /**
     * Undertow's own limit on query parameters, far above {@link RequestChecks#MAX_PARAMETERS}
     * (the request line bounds them anyway), so that too many get the checks' reason rather than
     * Undertow's empty 400.
     */
    static final int UNDERTOW_MAX_PARAMETERS = MAX_HEADER_BYTES;
    /** From a request's first byte to the end of its headers: a client this slow is dropped. */
    static final Duration REQUEST_PARSE_TIMEOUT = Duration.ofSeconds(10);
    /** A connection that starts no request for this long (fresh or kept alive) is closed. */
    static final Duration IDLE_CONNECTION_TIMEOUT = Duration.ofSeconds(60);
    /**
     * Open connections at which the index stops accepting (more wait in the listen backlog) until
     * a tenth have closed. An idle connection costs a file descriptor and a few KiB, no thread.
     */
    static final int MAX_CONNECTIONS = 10_000;
    /** How long a shutdown waits for requests in flight. */
    private static final long SHUTDOWN_GRACE_MS = 5_000;

    /** What the index command line configures. */
    public record Config(List<String> volumes, String bind, int port, String db, int replicas, int subvolumes,
                         String fallback, boolean protect, Duration volumeTimeout, boolean md5,
                         Optional<ClusterSecret> secret, boolean signedReads, Duration linkTtl, Duration writeTimeout,
                         Optional<S3Config> s3) {
        /** @throws IllegalArgumentException for settings that cannot work together */
        public Config {
            if (signedReads && secret.isEmpty()) {
                throw new IllegalArgumentException("--signed-reads needs --secret-file: the secret keys the signatures");
            }
            if (writeTimeout.compareTo(MAX_WRITE_TIMEOUT) > 0) {
                throw new IllegalArgumentException("--write-timeout must be at most " + MAX_WRITE_TIMEOUT.toMinutes()
                        + "m: volumes give up on a silent writer after 10m");
            }
        }

        /** @throws IllegalArgumentException for a --link-ttl too short to sign with */
        ReplicaLinks replicaLinks() {
            return signedReads ? ReplicaLinks.signed(new LinkSigner(secret.orElseThrow(), linkTtl)) : ReplicaLinks.plain();
        }
    }

    /**
     * The S3 endpoint's settings.
     *
     * @param domain a Host of {@code bucket.DOMAIN} names the bucket (virtual-hosted style)
     * @param uploadMaxAge a multipart upload unfinished this long is aborted
     */
    public record S3Config(int port, S3Credentials credentials, String domain, Duration uploadMaxAge) {}

    private final IndexStore store;
    private final Volumes volumes;
    private final Operations ops;
    private final Settler settler;
    /** Counts the requests in flight that a shutdown waits for: all but reads. */
    private final GracefulShutdownHandler inFlight;
    /** The S3 endpoint's requests in flight, or null when it is off. */
    private final GracefulShutdownHandler s3InFlight;
    /** Aborts old multipart uploads, or null when S3 is off. */
    private final S3UploadSweeper uploadSweeper;
    private final Undertow undertow;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);

    private IndexServer(Config config, Placement placement, ReplicaLinks links, IndexStore store, Volumes volumes,
            Operations ops) {
        this.store = store;
        this.volumes = volumes;
        this.ops = ops;
        KeyClaims claims = new KeyClaims();
        this.settler = new Settler(store, volumes, claims);
        Eraser eraser = settler.eraser();
        Predicate<String> knownDown = location -> placement.volumes().contains(Placement.volumeOf(location))
                && !volumes.health().isUp(location);
        // The operator tools' per-key work (see ToolHandler) reads and copies whole values.
        VolumeClient toolClient = new VolumeClient(volumes.http(), TOOL_READ_TIMEOUT);
        KeyMover mover = new KeyMover(store, toolClient, placement, true);
        KeyDoctor doctor = new KeyDoctor(store, toolClient, mover);

        // Blocking work runs on a worker, where a database outage gets its 503.
        DatabaseOutage outage = new DatabaseOutage();
        KeyedHandler list = onWorker(new StoreOutages(new ListHandler(store), outage));
        KeyedHandler get = new GetHandler(store, placement, volumes.health(), config.fallback(), links, list, outage);
        ReplicaRenames replicaRenames = new ReplicaRenames(volumes, knownDown);
        PutHandler put = new PutHandler(store, placement, volumes, eraser, settler, claims, replicaRenames,
                config.md5(), ops.rollbacks());
        S3HeadersCopies headersCopies = new S3HeadersCopies(store, claims, put, eraser);
        KeyedHandler delete = new DeleteHandler(store, eraser, claims, config.protect(), headersCopies);
        MethodRouter router = new MethodRouter()
                .on("GET", new KeyHandler(get))
                .on("HEAD", new KeyHandler(get))
                .on("PUT", new WritesPerAddress(bodyReading(new KeyHandler(blocking(put, outage)), config.writeTimeout())))
                .on("DELETE", new KeyHandler(blocking(delete, outage)))
                .on("UNLINK", new KeyHandler(blocking(LinkHandler.unlink(store, claims, replicaRenames, eraser), outage)))
                .on("RELINK", new KeyHandler(blocking(LinkHandler.relink(store, claims, replicaRenames, eraser), outage)))
                .on("REBALANCE", new KeyHandler(blocking(ToolHandler.rebalance(claims, eraser, mover), outage)))
                .on("VERIFY", new KeyHandler(blocking(ToolHandler.verify(claims, eraser, doctor), outage)))
                .on("REPAIR", new KeyHandler(blocking(ToolHandler.repair(claims, eraser, doctor, placement), outage)));
        HttpHandler observed = ops.observe(new RequestChecks(router), new WrittenVolumes(placement));
        this.inFlight = new GracefulShutdownHandler(observed);
        // A read is answered on the IO thread before its handler returns (or, for a listing,
        // streams a snapshot that the store's close cuts short): nothing for a shutdown to
        // wait for, so the fast path skips the count and its completion listener.
        HttpHandler front = exchange -> (isRead(exchange) ? observed : inFlight).handleRequest(exchange);
        Undertow.Builder builder = Undertow.builder().addHttpListener(config.port(), config.bind(), front);
        if (config.s3().isPresent()) {
            S3Config s3 = config.s3().get();
            S3Buckets buckets = new S3Buckets(store, claims, put, eraser);
            S3Objects objects = new S3Objects(store, claims, put, eraser, headersCopies, volumes, buckets,
                    config.volumeTimeout());
            S3Copy copy = new S3Copy(store, claims, objects, buckets);
            S3Multipart multipart = new S3Multipart(store, claims, put, eraser, objects, buckets, copy);
            this.uploadSweeper = new S3UploadSweeper(multipart, s3.uploadMaxAge());
            S3Front s3Front = new S3Front(new SigV4(s3.credentials(), Clock.systemUTC()), s3.domain(), buckets, objects,
                    new S3Listing(store, buckets, objects), multipart, new S3UploadListing(store, buckets), copy);
            this.s3InFlight = new GracefulShutdownHandler(ops.observe(bodyReading(s3Front, config.writeTimeout()),
                    new WrittenVolumes(placement)));
            builder.addHttpListener(s3.port(), config.bind(), s3InFlight);
        } else {
            this.s3InFlight = null;
            this.uploadSweeper = null;
        }
        this.undertow = builder
                .setWorkerThreads(WORKER_THREADS)
                .setServerOption(UndertowOptions.DECODE_URL, false) // keys are decoded strictly by Key
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, Long.MAX_VALUE)
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, MAX_HEADER_BYTES)
                .setServerOption(UndertowOptions.MAX_HEADERS, MAX_HEADERS)
                .setServerOption(UndertowOptions.MAX_PARAMETERS, UNDERTOW_MAX_PARAMETERS)
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) REQUEST_PARSE_TIMEOUT.toMillis())
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, (int) IDLE_CONNECTION_TIMEOUT.toMillis())
                // A client that stops reading its answer (a long listing) frees the worker thread.
                .setSocketOption(Options.WRITE_TIMEOUT, (int) config.writeTimeout().toMillis())
                .setSocketOption(Options.CONNECTION_HIGH_WATER, MAX_CONNECTIONS)
                .setSocketOption(Options.CONNECTION_LOW_WATER, MAX_CONNECTIONS * 9 / 10)
                .setServerOption(UndertowOptions.RECORD_REQUEST_START_TIME, true) // for the latency metrics
                .build();
    }

    private static KeyedHandler blocking(KeyedHandler handler, DatabaseOutage outage) {
        return onWorker(new StoreOutages(handler, outage));
    }

    private static boolean isRead(HttpServerExchange exchange) {
        HttpString method = exchange.getRequestMethod();
        return method.equals(Methods.GET) || method.equals(Methods.HEAD);
    }

    /**
     * For handlers that read a request body: "100 Continue" is sent on the first read (curl
     * waits for it before sending a large body), and a client that sends nothing for
     * {@code writeTimeout} in the middle of its body is dropped: its PUT is then rolled back,
     * which frees its key and its worker thread.
     */
    private static HttpHandler bodyReading(HttpHandler handler, Duration writeTimeout) {
        return new HttpContinueReadHandler(BlockingReadTimeoutHandler.builder()
                .readTimeout(writeTimeout)
                .nextHandler(handler)
                .build());
    }

    /**
     * Opens the store, learns which volumes are up, rolls back unfinished writes, then listens.
     *
     * @throws IllegalArgumentException for a configuration that cannot work
     * @throws IllegalStateException when the store or the port cannot be had
     */
    public static IndexServer start(Config config, OpsConfig opsConfig) {
        Placement placement = new Placement(config.volumes(), config.replicas(), config.subvolumes());
        ReplicaLinks links = config.replicaLinks();
        IndexStore store = IndexStore.open(config.db());
        Operations ops = new Operations(opsConfig, config.volumes(), config.replicas());
        Volumes volumes = new Volumes(config.volumes(), config.volumeTimeout(), config.secret(), ops.volumeStats(),
                ops.minFree());
        IndexServer server = null;
        String step = "start";
        try {
            volumes.start();
            server = new IndexServer(config, placement, links, store, volumes, ops);
            server.settler.start();
            step = "listen on " + config.bind() + ":" + config.port()
                    + config.s3().map(s3 -> " and " + config.bind() + ":" + s3.port() + " (S3)").orElse("");
            server.undertow.start();
            step = "serve the admin endpoints";
            ops.serveAdmin(store, volumes.health(), config.bind() + ":" + config.port());
            return server;
        } catch (RuntimeException e) {
            if (server != null) {
                server.undertow.stop();
                server.settler.close();
            }
            ops.close();
            volumes.close();
            store.close();
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot " + step + ": " + cause.getMessage(), e);
        }
    }

    /** Stops taking requests, lets those in flight finish briefly, then closes the store. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        ops.shuttingDown();
        inFlight.shutdown();
        if (s3InFlight != null) {
            s3InFlight.shutdown();
        }
        try {
            if (!inFlight.awaitShutdown(SHUTDOWN_GRACE_MS) || (s3InFlight != null && !s3InFlight.awaitShutdown(SHUTDOWN_GRACE_MS))) {
                log.warn("requests still running after {} ms; closing anyway", SHUTDOWN_GRACE_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        undertow.stop();
        if (uploadSweeper != null) {
            uploadSweeper.close();
        }
        ops.close();
        settler.close();
        volumes.close();
        store.close();
        closed.countDown();
    }

    /** Blocks until {@link #close} has finished. */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }
}
