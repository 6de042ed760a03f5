package minikv.volume;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one nginx serving: starts it and waits until it answers HTTP, restarts it with backoff
 * when it dies behind the launcher's back, and stops it on request.
 */
final class NginxSupervisor {

    private static final Logger log = LoggerFactory.getLogger(NginxSupervisor.class);
    /** nginx retries a busy port for about 2.5 s before giving up; allow that and a slow disk. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(50);
    /** How often the worker pids are noted, should the master be killed without them. */
    private static final Duration WATCH_INTERVAL = Duration.ofSeconds(1);
    /** A run this long counts as healthy: the next crash restarts quickly again. */
    private static final Duration HEALTHY_RUN = Duration.ofSeconds(30);
    static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final Path nginx;
    private final RuntimeFiles files;
    private final ListenAddress listen;
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));

    private final Object lock = new Object();
    private NginxProcess current; // guarded by lock
    private boolean stopping; // guarded by lock

    NginxSupervisor(Path nginx, RuntimeFiles files, ListenAddress listen) {
        this.nginx = nginx;
        this.files = files;
        this.listen = listen;
    }

    /** Returns once nginx answers GET / with 200. */
    void start() throws VolumeStartupException {
        awaitReady(launch());
    }

    /** Blocks until {@link #stop()}, restarting nginx whenever it exits. */
    void superviseUntilStopped() {
        while (true) {
            NginxProcess run = current();
            Instant started = Instant.now();
            while (!run.awaitExit(WATCH_INTERVAL)) {
                run.rememberWorkers();
            }
            if (isStopping()) {
                return;
            }
            run.killOrphanedWorkers();
            if (Duration.between(started, Instant.now()).compareTo(HEALTHY_RUN) >= 0) {
                backoff.reset();
            }
            // Ctrl-C signals nginx and the launcher at once: waiting out the backoff before
            // saying anything keeps a shutdown already under way from being reported as a crash.
            Duration delay = backoff.next();
            if (!sleepUnlessStopping(delay)) {
                return;
            }
            log.warn("nginx (pid {}) exited with status {}; restarting it (after a {} ms pause)", run.pid(),
                    run.exitValue(), delay.toMillis());
            try {
                NginxProcess restarted = launch();
                awaitReady(restarted);
                log.warn("nginx restarted (pid {}), answering on {}", restarted.pid(), listen.probeUri());
            } catch (VolumeStartupException e) {
                if (isStopping()) {
                    return;
                }
                log.error("restarting nginx failed: {}", e.getMessage());
            }
        }
    }

    /** Stops nginx gracefully (see {@link NginxStopper}); no restart follows. Safe from any thread. */
    void stop() {
        NginxProcess run;
        synchronized (lock) {
            stopping = true;
            run = current;
            lock.notifyAll();
        }
        if (run != null) {
            if (run.isAlive()) {
                log.info("stopping nginx (pid {})", run.pid());
            }
            // Also when the master is already dead: its orphaned workers may still hold the port.
            run.stop(STOP_GRACE);
        }
    }

    private NginxProcess launch() throws VolumeStartupException {
        synchronized (lock) {
            if (stopping) {
                throw new VolumeStartupException("stopped before nginx started");
            }
            try {
                // Only this run's startup errors should be reported if it fails.
                Files.deleteIfExists(files.startupErrorLog());
                long discarded = PartialUploads.discard(files.bodyTempDir());
                if (discarded > 0) {
                    log.warn("removed {} bytes of PUT bodies an earlier nginx was receiving when it died", discarded);
                }
                current = NginxProcess.start(nginx, files);
            } catch (IOException e) {
                throw new VolumeStartupException("cannot start " + nginx + ": " + e.getMessage());
            }
            return current;
        }
    }

    private void awaitReady(NginxProcess run) throws VolumeStartupException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        String lastAnswer = "no answer";
        while (true) {
            if (!run.isAlive()) {
                throw new VolumeStartupException("nginx exited with status " + run.exitValue()
                        + " before it answered on port " + listen.port() + startupErrors());
            }
            if (isStopping()) {
                throw new VolumeStartupException("stopped before nginx answered");
            }
            try {
                int status = listen.probe();
                if (status == 200) {
                    run.rememberWorkers();
                    return;
                }
                lastAnswer = "HTTP " + status;
            } catch (IOException e) {
                lastAnswer = e.getMessage();
            }
            if (Instant.now().isAfter(deadline)) {
                run.stop(STOP_GRACE);
                throw new VolumeStartupException("nginx did not answer GET " + listen.probeUri() + " with 200 within "
                        + START_TIMEOUT.toSeconds() + " s (last: " + lastAnswer + ")");
            }
            sleepUnlessStopping(PROBE_INTERVAL);
        }
    }

    /** What nginx wrote to its `-e` log before it could use the config's error_log (stderr). */
    private String startupErrors() {
        try {
            String errors = Files.readString(files.startupErrorLog()).strip();
            return errors.isEmpty() ? "" : "; nginx reported: " + errors;
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            return "; cannot read " + files.startupErrorLog() + ": " + e.getMessage();
        }
    }

    private NginxProcess current() {
        synchronized (lock) {
            return current;
        }
    }

    private boolean isStopping() {
        synchronized (lock) {
            return stopping;
        }
    }

    /** @return false if stopping was requested meanwhile */
    private boolean sleepUnlessStopping(Duration delay) {
        Instant end = Instant.now().plus(delay);
        synchronized (lock) {
            try {
                for (Duration left = delay; !stopping && !left.isNegative() && !left.isZero();
                        left = Duration.between(Instant.now(), end)) {
                    lock.wait(Math.max(1, left.toMillis()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            return !stopping;
        }
    }
}
