package minikv.devcluster;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import minikv.http.ClusterHttp;

/**
 * One member of a local cluster: a process of this same jar, its output going where
 * dev-cluster's own goes. Stopped by its PID, never by name.
 */
final class Member {

    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

    final String name;
    /** The jar's subcommand it runs: "volume" or "index". */
    final String role;
    final String address;
    private final Process process;

    Member(String name, String role, String address, Process process) {
        this.name = name;
        this.role = role;
        this.address = address;
        this.process = process;
    }

    static Member start(Path jar, String name, String address, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-jar", jar.toString()));
        command.addAll(args);
        return new Member(name, args.get(0), address, new ProcessBuilder(command).inheritIO().start());
    }

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    /**
     * Waits until the member answers HTTP (any status: a volume's root, the index's 404).
     *
     * @throws IOException if it exited first or did not answer in time
     */
    void awaitAnswer(Duration patience) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        try (ClusterHttp http = new ClusterHttp(PROBE_TIMEOUT, Optional.empty(), 0)) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IOException(name + " exited with status " + process.exitValue() + " before it answered");
                }
                try {
                    http.ask(address, "GET", "/dev-cluster-readiness-probe", PROBE_TIMEOUT).close();
                    return;
                } catch (IOException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException(name + " did not answer on " + address + " within " + patience.toSeconds() + " s");
                    }
                    Thread.sleep(100);
                }
            }
        }
    }

    /**
     * SIGTERM, then SIGKILL if it has not exited within the grace (a volume stops its nginx
     * first). Killed, it cannot stop its own children: its nginx master and workers, which would
     * go on serving, are killed with it.
     */
    void stop() throws InterruptedException {
        stop(STOP_GRACE);
    }

    void stop(Duration grace) throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            System.err.println("dev-cluster: " + name + " (pid " + pid() + ") did not stop within "
                    + grace.toSeconds() + " s; killing it and its children");
            List<ProcessHandle> children = process.descendants().toList();
            process.destroyForcibly().waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
