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
import minikv.placement.Placement;
import minikv.store.IndexStore;
import minikv.tools.KeyDoctor;
import minikv.tools.KeyMover;
import minikv.tools.VolumeClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The index server: its store, its volumes, and the HTTP front wired to them. */
public final class IndexServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IndexServer.class);

    /** Threads for blocking work: each PUT holds one for the whole transfer of its body. */
    static final int WORKER_THREADS = 64;
    /** A client that sends nothing for this long in the middle of a body is dropped. */
    private static final Duration CLIENT_READ_TIMEOUT = Duration.ofSeconds(60);
    /** How long a volume may take to send the next bytes of a value the tools read or copy. */
    private static final Duration TOOL_READ_TIMEOUT = Duration.ofSeconds(30);
    /** How long a shutdown waits for requests in flight. */
    private static final long SHUTDOWN_GRACE_MS = 5_000;

    /** What the index command line configures. */
    public record Config(List<String> volumes, String bind, int port, Path db, int replicas, int subvolumes,
                         String fallback, boolean protect, Duration volumeTimeout, boolean md5) {}

    private final IndexStore store;
    private final Volumes volumes;
    private final Settler settler;
    private final GracefulShutdownHandler front;
    private final Undertow undertow;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);

    private IndexServer(Config config, Placement placement, IndexStore store, Volumes volumes) {
        this.store = store;
        this.volumes = volumes;
        KeyClaims claims = new KeyClaims();
        Eraser eraser = new Eraser(store, volumes);
        this.settler = new Settler(store, eraser, claims);
        // Renames for UNLINK/RELINK and the operator tools' per-key work (see ToolHandler).
        VolumeClient toolClient = new VolumeClient(config.volumeTimeout(), TOOL_READ_TIMEOUT);
        KeyMover mover = new KeyMover(store, toolClient, placement, true);
        KeyDoctor doctor = new KeyDoctor(store, toolClient, mover);

        KeyedHandler get = new GetHandler(store, placement, volumes.health(), config.fallback(),
                onWorker(new ListHandler(store)));
        KeyedHandler put = new PutHandler(store, placement, volumes, eraser, settler, claims, config.md5());
        KeyedHandler delete = new DeleteHandler(store, eraser, claims, config.protect());
        MethodRouter router = new MethodRouter()
                .on("GET", new KeyHandler(get))
                .on("HEAD", new KeyHandler(get))
                .on("PUT", bodyReading(new KeyHandler(onWorker(put))))
                .on("DELETE", new KeyHandler(onWorker(delete)))
                .on("UNLINK", new KeyHandler(onWorker(LinkHandler.unlink(store, claims, toolClient))))
                .on("RELINK", new KeyHandler(onWorker(LinkHandler.relink(store, claims, toolClient))))
                .on("REBALANCE", new KeyHandler(onWorker(ToolHandler.rebalance(claims, mover))))
                .on("VERIFY", new KeyHandler(onWorker(ToolHandler.verify(claims, doctor))))
                .on("REPAIR", new KeyHandler(onWorker(ToolHandler.repair(claims, doctor, placement))));
        this.front = new GracefulShutdownHandler(router);
        this.undertow = Undertow.builder()
                .addHttpListener(config.port(), config.bind())
                .setWorkerThreads(WORKER_THREADS)
                .setServerOption(UndertowOptions.DECODE_URL, false) // keys are decoded strictly by Key
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, Long.MAX_VALUE)
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
    public static IndexServer start(Config config) {
        Placement placement = new Placement(config.volumes(), config.replicas(), config.subvolumes());
        IndexStore store = IndexStore.open(config.db());
        Volumes volumes = new Volumes(config.volumes(), config.volumeTimeout());
        IndexServer server = null;
        String step = "start";
        try {
            volumes.start();
            server = new IndexServer(config, placement, store, volumes);
            server.settler.start();
            step = "listen on " + config.bind() + ":" + config.port();
            server.undertow.start();
            return server;
        } catch (RuntimeException e) {
            if (server != null) {
                server.settler.close();
            }
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
        front.shutdown();
        try {
            if (!front.awaitShutdown(SHUTDOWN_GRACE_MS)) {
                log.warn("requests still running after {} ms; closing anyway", SHUTDOWN_GRACE_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        undertow.stop();
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
