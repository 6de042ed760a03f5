package minikv.store;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's row in {@code minikv_processes}: its id, which owns the PENDING and DELETING
 * records it writes, and a lease that says it is running. The lease is renewed every
 * {@link #RENEW_EVERY} to {@link #LEASE} past the database's clock; once a process's lease has
 * run out, other processes may adopt its records and settle them.
 *
 * <p>A process stops writing before others can think it stopped: it counts its lease as held
 * only for {@link #LEASE} minus {@link #MARGIN} from when it sent the last renewal that
 * succeeded (the server's clock only moves the expiry later than that). Renewals use a
 * connection pool of their own, so requests holding every connection never starve them.
 */
final class PostgresLease implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PostgresLease.class);
    static final Duration LEASE = Duration.ofSeconds(10);
    static final Duration RENEW_EVERY = Duration.ofSeconds(1);
    private static final Duration MARGIN = Duration.ofSeconds(2);

    final long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    private final PostgresPool pool;
    private final Runnable onRenewal;
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "index-db-lease");
        t.setDaemon(true);
        return t;
    });
    /** System.nanoTime until which the lease is surely held. */
    private volatile long heldUntil;
    private volatile boolean lapsed;

    /** @param onRenewal run after each renewal that succeeded, on the renewing thread */
    PostgresLease(PostgresPool pool, Runnable onRenewal) {
        this.pool = pool;
        this.onRenewal = onRenewal;
    }

    /** Takes the lease (a failure throws) and keeps renewing it in the background. */
    void start() {
        renew();
        renewer.scheduleWithFixedDelay(this::renewQuietly, RENEW_EVERY.toMillis(), RENEW_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** True while this process is surely still the owner of its records. */
    boolean held() {
        return System.nanoTime() - heldUntil < 0;
    }

    /** @throws StoreUnavailable unless {@link #held} */
    void requireHeld() {
        if (!held()) {
            throw new StoreUnavailable("index database: this index process could not renew its lease for "
                    + (LEASE.minus(MARGIN).toSeconds()) + " s, so other index processes may be settling its writes;"
                    + " it writes nothing until the database answers again", null);
        }
    }

    private void renew() {
        long sent = System.nanoTime();
        pool.autocommit(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO minikv_processes (id, expires, started, host)"
                    + " VALUES (?, now() + ? * INTERVAL '1 second', now(), ?)"
                    + " ON CONFLICT (id) DO UPDATE SET expires = EXCLUDED.expires")) {
                s.setLong(1, id);
                s.setDouble(2, LEASE.toMillis() / 1000.0);
                s.setString(3, hostName());
                s.executeUpdate();
            }
            return null;
        });
        heldUntil = sent + LEASE.minus(MARGIN).toNanos();
    }

    private void renewQuietly() {
        try {
            renew();
            if (lapsed) {
                lapsed = false;
                log.info("index database: this process's lease is renewed again");
            }
            onRenewal.run();
        } catch (RuntimeException e) {
            if (!lapsed) {
                lapsed = true;
                log.warn("index database: cannot renew this process's lease ({}); it writes nothing from {} s after the"
                        + " last renewal until it can", e.getMessage(), LEASE.minus(MARGIN).toSeconds());
            }
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName() + " pid " + ProcessHandle.current().pid();
        } catch (UnknownHostException e) {
            return "pid " + ProcessHandle.current().pid();
        }
    }

    /** Stops renewing and gives the lease up: this process's records are others' to settle at once. */
    @Override
    public void close() {
        renewer.shutdownNow();
        try {
            pool.autocommit(c -> {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM minikv_processes WHERE id = ?")) {
                    s.setLong(1, id);
                    s.executeUpdate();
                }
                return null;
            });
        } catch (RuntimeException e) {
            log.debug("cannot give the lease up; it runs out by itself: {}", e.getMessage());
        }
    }

    /** SQL true when the process {@code owner} names (a column or parameter) holds no lease. */
    static String notRunning(String owner) {
        return "NOT EXISTS (SELECT 1 FROM minikv_processes p WHERE p.id = " + owner + " AND p.expires > now())";
    }
}
