package minikv.volume;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * SIGTERM or SIGINT runs the JVM's shutdown hooks; this one stops nginx and then ends the launcher
 * with status 0, since an orderly stop is a success (the JVM alone would end with 128 + signal).
 * A launcher exiting with its own status claims the exit first, so the hook leaves it alone.
 */
final class ShutdownOnSignal {

    private final AtomicBoolean exitClaimed = new AtomicBoolean();

    private ShutdownOnSignal() {
    }

    static ShutdownOnSignal install(Runnable stopServing) {
        ShutdownOnSignal shutdown = new ShutdownOnSignal();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (shutdown.exitClaimed.compareAndSet(false, true)) {
                stopServing.run();
                System.out.flush();
                System.err.flush();
                Runtime.getRuntime().halt(0);
            }
        }, "minikv-volume-shutdown"));
        return shutdown;
    }

    /** @return false if a signal got there first and the hook is already stopping nginx */
    boolean claimExit() {
        return exitClaimed.compareAndSet(false, true);
    }
}
