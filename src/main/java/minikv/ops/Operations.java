package minikv.ops;

import ch.qos.logback.classic.Level;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import minikv.placement.VolumeHealth;
import minikv.store.IndexStore;
import minikv.store.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index's operability, wired together: what is counted (requests, volumes, rollbacks), what
 * is kept (recent warnings), what is written (access log) and the admin port that shows it all.
 * Created before the index's volumes and store are in use, so that what happens at startup is
 * seen too; {@link #serveAdmin} once the index serves.
 */
public final class Operations implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Operations.class);
    private static final int RECENT_PROBLEMS = 50;
    /** The status page's rates: a sample every 5 s, 13 samples held, so over the last minute. */
    private static final Duration RATE_SAMPLING = Duration.ofSeconds(5);
    private static final int RATE_SAMPLES = 13;
    private static final RequestMetrics.Method[] METHODS = RequestMetrics.Method.values();

    private final OpsConfig config;
    private final int replicas;
    private final Instant started = Instant.now();
    private final RequestMetrics requests = new RequestMetrics();
    private final VolumeStats volumeStats;
    private final Rollbacks rollbacks = new Rollbacks();
    private final RecentProblems problems = new RecentProblems(RECENT_PROBLEMS);
    private final RequestRates rates = new RequestRates(RATE_SAMPLES, METHODS.length + 1);
    private final Runnable detachProblems;
    private final AccessLog accessLog;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ops-sampler");
        t.setDaemon(true);
        return t;
    });
    private AdminServer admin;
    private volatile boolean shuttingDown;

    public Operations(OpsConfig config, List<String> volumes, int replicas) {
        this.config = config;
        this.replicas = replicas;
        this.volumeStats = new VolumeStats(volumes);
        if (config.verbose()) {
            setRootLevel(Level.DEBUG);
        }
        this.detachProblems = RecentProblemsAppender.attach(problems);
        this.accessLog = config.accessLog() ? new AccessLog(new FileOutputStream(FileDescriptor.out)) : null;
    }

    public VolumeStats volumeStats() {
        return volumeStats;
    }

    public Rollbacks rollbacks() {
        return rollbacks;
    }

    public MinFree minFree() {
        return config.minFree();
    }

    /**
     * Wraps the index's routes so every request is measured (and logged when the access log is on).
     *
     * @param volumesWritten the volumes a write request went to, for its access line
     */
    public HttpHandler observe(HttpHandler routes, Function<HttpServerExchange, String> volumesWritten) {
        return new RequestObserver(routes, requests, accessLog, volumesWritten);
    }

    /**
     * Starts the admin port (if configured) over the running index.
     *
     * @param index the index's own address, for the status page's title
     * @throws IllegalStateException if an explicitly chosen admin port cannot be had
     */
    public void serveAdmin(IndexStore store, VolumeHealth health, String index) {
        OpsConfig.Admin where = config.admin();
        if (where == null) {
            log.info("admin endpoints off (--admin-port off)");
            return;
        }
        sampler.scheduleAtFixedRate(this::sampleRates, 0, RATE_SAMPLING.toMillis(), TimeUnit.MILLISECONDS);
        MetricsExposition metrics = new MetricsExposition(requests, store.keyCounts(), volumeStats, health, config.minFree(),
                rollbacks, accessLog, () -> readiness(store, health), started);
        try {
            admin = AdminServer.start(where, metrics::render, () -> readiness(store, health),
                    () -> StatusPage.render(statusView(store, health, index)));
        } catch (RuntimeException e) {
            String port = "admin port " + where.bind() + ":" + where.port() + ": " + rootMessage(e);
            if (where.explicit()) {
                throw new IllegalStateException(port); // the index names the step; the cause is all in the message
            }
            log.warn("cannot listen on {}; serving without /metrics, /health and /status (choose a port with --admin-port)",
                    port);
            return;
        }
        log.info("admin endpoints on http://{}:{}/ (status, metrics, health/live, health/ready)", where.bind(), where.port());
    }

    /** The index stops taking requests: readiness says so while those in flight finish. */
    public void shuttingDown() {
        shuttingDown = true;
    }

    private Readiness readiness(IndexStore store, VolumeHealth health) {
        List<String> down = volumeStats.volumes().stream().filter(v -> !health.isUp(v)).toList();
        return Readiness.assess(!shuttingDown, store.isWritable(), down, volumeStats.volumes().size(), replicas);
    }

    private StatusView statusView(IndexStore store, VolumeHealth health, String index) {
        List<StatusView.VolumeRow> volumes = new ArrayList<>();
        for (String v : volumeStats.volumes()) {
            volumes.add(new StatusView.VolumeRow(v, health.downReason(v), volumeStats.lastProbe(v), volumeStats.disk(v),
                    config.minFree().refusal(v, volumeStats.disk(v), 0), volumeStats.probeErrors(v),
                    volumeStats.replicaWriteFailures(v)));
        }
        List<StatusView.KeyRow> keys = new ArrayList<>();
        for (Record.State state : Record.State.values()) {
            keys.add(new StatusView.KeyRow(state.name().toLowerCase(Locale.ROOT), store.keyCounts().of(state)));
        }
        List<StatusView.RateRow> requestRows = new ArrayList<>();
        for (RequestMetrics.Method m : METHODS) {
            requestRows.add(new StatusView.RateRow(m.name(), requests.total(m), rates.perSecond(m.ordinal())));
        }
        Instant now = Instant.now();
        return new StatusView(now, index, Duration.between(started, now), readiness(store, health), replicas,
                config.minFree().toString(), volumes, keys, requestRows, rates.perSecond(METHODS.length),
                problems.newestFirst(), problems.total());
    }

    private void sampleRates() {
        long[] totals = new long[METHODS.length + 1];
        for (RequestMetrics.Method m : METHODS) {
            totals[m.ordinal()] = requests.total(m);
        }
        totals[METHODS.length] = requests.serverErrors();
        rates.sample(System.nanoTime(), totals);
    }

    /** Once the index has stopped serving: the admin port, then the access log (its last lines written). */
    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        sampler.shutdownNow();
        if (accessLog != null) {
            accessLog.close();
        }
        detachProblems.run();
    }

    private static void setRootLevel(Level level) {
        if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(level);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }
}
