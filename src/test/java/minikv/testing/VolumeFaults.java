package minikv.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What can happen to a volume server, done to a real one: stopped cleanly, hung (its nginx
 * master and workers SIGSTOPped: connections are accepted by the kernel but never answered) or
 * killed (launcher, master and workers SIGKILLed at once, as a machine or OOM kill would).
 *
 * <p>Closing resumes whatever is still hung, so that no stopped process outlives the test.
 */
public final class VolumeFaults implements AutoCloseable {

    /** The three ways a volume goes away. */
    public enum Fault { STOPPED, HUNG, KILLED }

    /** Between resuming one hung worker and the next. */
    private static final Duration RESUME_GAP = Duration.ofMillis(500);

    private final List<Long> hung = new ArrayList<>();

    /** Does {@code fault} to {@code volume}; undo it with {@link #recover}. */
    public void inflict(Fault fault, VolumeProcess volume) {
        switch (fault) {
            case STOPPED -> volume.stop();
            case HUNG -> hang(volume);
            case KILLED -> kill(volume);
        }
    }

    /** The volume serving again: resumed, or started anew on its port and directory. */
    public VolumeProcess recover(Fault fault, VolumeProcess volume, Cluster cluster) {
        if (fault == Fault.HUNG) {
            resumeAll();
            return volume;
        }
        return cluster.restartVolume(volume);
    }

    /** SIGSTOP to the nginx master and every worker; the launcher sees nothing wrong. */
    public void hang(VolumeProcess volume) {
        for (long pid : nginxPids(volume)) {
            Signals.send(pid, "STOP");
            hung.add(pid);
        }
    }

    /**
     * SIGCONT to everything {@link #hang} stopped: the master, then one worker after another,
     * {@link #RESUME_GAP} apart, as when a stalled disk releases one worker before another. A
     * request that one worker holds may then be overtaken by a later one that another serves.
     */
    public void resumeAll() {
        for (int i = 0; i < hung.size(); i++) {
            long pid = hung.get(i);
            if (i > 1) {
                Await.pause(RESUME_GAP);
            }
            if (ProcessHandle.of(pid).isPresent()) {
                Signals.send(pid, "CONT");
            }
        }
        hung.clear();
    }

    /** SIGKILL to the launcher first (so it restarts nothing), then to nginx's master and workers. */
    public void kill(VolumeProcess volume) {
        List<Long> nginx = nginxPids(volume);
        volume.launcher().signal("KILL");
        volume.launcher().waitFor(Duration.ofSeconds(10));
        for (long pid : nginx) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (long pid : nginx) {
            ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
        }
    }

    @Override
    public void close() {
        resumeAll();
    }

    /** The master (from its pid file) and its children, the workers (found through /proc). */
    private static List<Long> nginxPids(VolumeProcess volume) {
        long master = volume.nginxMasterPid();
        List<Long> pids = new ArrayList<>();
        pids.add(master);
        ProcessHandle.of(master).orElseThrow(() -> new IllegalStateException("nginx master " + master + " is gone"))
                .children().forEach(worker -> pids.add(worker.pid()));
        if (pids.size() < 2) {
            fail("nginx master " + master + " has no workers");
        }
        return pids;
    }
}
