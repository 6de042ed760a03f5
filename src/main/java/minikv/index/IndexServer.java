package minikv.index;

import static minikv.index.KeyedHandler.onWorker;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.BlockingReadTimeoutHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.server.handlers.HttpContinueReadHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import minikv.ops.OpsConfig;
import minikv.ops.Operations;
import minikv.placement.Placement;
import minikv.store.IndexStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The index server: its store, its volumes, and the HTTP front wired to them. */
public final class IndexServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IndexServer.class);

    /** Threads for blocking work: each PUT holds one for the whole transfer of its body. */
    static final int WORKER_THREADS = 64;
    /** A client that sends nothing for this long in the middle of a body is dropped. */
    private static final Duration CLIENT_READ_TIMEOUT = Duration.ofSeconds(60);
    /** How long a shutdown waits for requests in flight. */
    private static final long SHUTDOWN_GRACE_MS = 5_000;

    /** What the index command line configures. */
    public record Config(List<String> volumes, String bind, int port, Path db, int replicas, int subvolumes,
                         String fallback, boolean protect, Duration volumeTimeout, boolean md5) {}

    private final IndexStore store;
    private final Volumes volumes;
    private final Operations ops;
    private final Settler settler;
    private final GracefulShutdownHandler front;
    private final Undertow undertow;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);

    private IndexServer(Config config, Placement placement, IndexStore store, Volumes volumes, Operations ops) {
        this.store = store;
        this.volumes = volumes;
        this.ops = ops;
        KeyClaims claims = new KeyClaims();
        Eraser eraser = new Eraser(store, volumes);
        this.settler = new Settler(store, eraser, claims);

        KeyedHandler get = new GetHandler(store, placement, volumes.health(), config.fallback(),
                onWorker(new ListHandler(store)));
        KeyedHandler put = new PutHandler(store, placement, volumes, eraser, settler, claims, config.md5(),
                ops.rollbacks());
        KeyedHandler delete = new DeleteHandler(store, eraser, claims, config.protect());
        MethodRouter router = new MethodRouter()
                .on("GET", new KeyHandler(get))
                .on("HEAD", new KeyHandler(get))
                .on("PUT", bodyReading(new KeyHandler(onWorker(put))))
                .on("DELETE", new KeyHandler(onWorker(delete)))
                .on("UNLINK", new KeyHandler(onWorker(LinkHandler.unlink(store, claims))))
                .on("RELINK", new KeyHandler(onWorker(LinkHandler.relink(store, claims))));
        this.front = new GracefulShutdownHandler(ops.observe(router, new WrittenVolumes(placement)));
        this.undertow = Undertow.builder()
                .addHttpListener(config.port(), config.bind())
                .setWorkerThreads(WORKER_THREADS)
                .setServerOption(UndertowOptions.DECODE_URL, false) // keys are decoded strictly by Key
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, Long.MAX_VALUE)
                .setServerOption(UndertowOptions.RECORD_REQUEST_START_TIME, true) // for the latency metrics
                .setHandler(front)
                .build();
    }

    /**
     * For handlers that read a request body: "100 Continue" is sent on the first read (curl
     * waits for it before sending a large body), and a client that stops sending in the middle
     * of its body is dropped.
     */
    private static HttpHandler bodyReading(HttpHandler handler) {
        return new HttpContinueReadHandler(BlockingReadTimeoutHandler.builder()
                .readTimeout(CLIENT_READ_TIMEOUT)
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
        IndexStore store = IndexStore.open(config.db());
        Operations ops = new Operations(opsConfig, config.volumes(), config.replicas());
        Volumes volumes = new Volumes(config.volumes(), config.volumeTimeout(), ops.volumeStats(), ops.minFree());
        IndexServer server = null;
        String step = "start";
        try {
            volumes.start();
            server = new IndexServer(config, placement, store, volumes, ops);
            server.settler.start();
            step = "listen on " + config.bind() + ":" + config.port();
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
        front.shutdown();
        try {
            if (!front.awaitShutdown(SHUTDOWN_GRACE_MS)) {
                log.warn("requests still running after {} ms; closing anyway", SHUTDOWN_GRACE_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        undertow.stop();
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
