package minikv.volume;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops an nginx master as nginx intends: SIGQUIT lets requests in flight finish; a master still
 * there after the grace period gets SIGTERM, then SIGKILL. Its workers are killed too if they
 * outlive it, since orphaned workers keep the port and keep serving.
 */
final class NginxStopper {

    private static final Logger log = LoggerFactory.getLogger(NginxStopper.class);
    private static final Duration ESCALATION_WAIT = Duration.ofSeconds(2);

    private NginxStopper() {
    }

    /** @param knownWorkers workers seen earlier, for a master that may already be dead */
    static void stop(ProcessHandle master, Collection<ProcessHandle> knownWorkers, Duration grace) {
        Set<ProcessHandle> workers = new HashSet<>(knownWorkers);
        master.descendants().forEach(workers::add);
        if (!(signal(master, "QUIT") && awaitExit(master, grace))) {
            log.warn("nginx (pid {}) did not quit within {} s; terminating it", master.pid(), grace.toSeconds());
            if (!(signal(master, "TERM") && awaitExit(master, ESCALATION_WAIT))) {
                master.destroyForcibly();
                awaitExit(master, ESCALATION_WAIT);
            }
        }
        workers.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /** Java can only send TERM and KILL itself; nginx's graceful stop is QUIT. */
    private static boolean signal(ProcessHandle process, String signal) {
        if (!process.isAlive()) {
            return true;
        }
        try {
            Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(process.pid()))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return kill.waitFor(ESCALATION_WAIT.toMillis(), TimeUnit.MILLISECONDS) && kill.exitValue() == 0;
        } catch (IOException e) {
            log.warn("cannot send SIG{} to pid {}: {}", signal, process.pid(), e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static boolean awaitExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }
}
