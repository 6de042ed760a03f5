package minikv.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import minikv.devcluster.Members;

/**
 * A volume server ({@code minikv volume --bind 127.0.0.1 PORT DIR}, as {@link Members} starts one) run from the built jar, with
 * real nginx behind it. {@code start} returns once it answers HTTP; {@code close} leaves neither the
 * launcher nor an nginx behind.
 */
public final class VolumeProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    /** A free port can be taken by someone else before nginx binds it; try another a few times. */
    private static final int START_ATTEMPTS = 3;

    private final int port;
    private final Path dir;
    private final JarProcess launcher;
    private final List<Long> nginxMasterPids = new ArrayList<>();

    private VolumeProcess(int port, Path dir, JarProcess launcher) {
        this.port = port;
        this.dir = dir;
        this.launcher = launcher;
        nginxMasterPids.add(nginxMasterPid());
    }

    /** On a free 127.0.0.1 port. */
    public static VolumeProcess start(Path dir, String... extraArgs) {
        for (int attempt = 1; ; attempt++) {
            int port = FreePorts.next();
            JarProcess launcher = launch(port, dir, extraArgs);
            if (awaitServing(launcher, port)) {
                return new VolumeProcess(port, dir, launcher);
            }
            launcher.close();
            if (attempt == START_ATTEMPTS || !launcher.output().contains("cannot listen on port " + port)) {
                fail("volume on port " + port + " did not start; its output:\n" + launcher.output());
            }
        }
    }

    public static VolumeProcess start(int port, Path dir, String... extraArgs) {
        JarProcess launcher = launch(port, dir, extraArgs);
        if (!awaitServing(launcher, port)) {
            launcher.close();
            fail("volume on port " + port + " did not start; its output:\n" + launcher.output());
        }
        return new VolumeProcess(port, dir, launcher);
    }

    public int port() {
        return port;
    }

    /** "127.0.0.1:PORT", as the index lists its volumes. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** "http://127.0.0.1:PORT" + path. */
    public String url(String path) {
        return "http://" + address() + path;
    }

    public Path dir() {
        return dir;
    }

    public JarProcess launcher() {
        return launcher;
    }

    /** The current nginx master, from the pid file in DIR/.minikv (it changes when nginx is restarted). */
    public long nginxMasterPid() {
        long pid = currentPid().orElseThrow(() -> new IllegalStateException("no nginx pid file in " + dir));
        if (!nginxMasterPids.contains(pid)) {
            nginxMasterPids.add(pid);
        }
        return pid;
    }

    /** SIGTERM to the launcher; returns once it has exited and the port no longer accepts connections. */
    public void stop() {
        if (launcher.isAlive()) {
            launcher.signal("TERM");
        }
        launcher.waitFor(STOP_TIMEOUT);
        Instant deadline = Instant.now().plus(STOP_TIMEOUT);
        while (isListening(port)) {
            if (Instant.now().isAfter(deadline)) {
                fail("port " + port + " still accepts connections after the launcher exited");
            }
            Await.pause(Duration.ofMillis(50));
        }
    }

    /** {@link #stop()}, and kills any nginx of this volume still alive (the launcher may have been killed). */
    @Override
    public void close() {
        try {
            if (launcher.isAlive()) {
                stop();
            }
        } finally {
            launcher.close();
            currentPid().ifPresent(nginxMasterPids::add);
            nginxMasterPids.forEach(pid -> ProcessHandle.of(pid).filter(this::isOurNginx).ifPresent(master -> {
                master.descendants().forEach(ProcessHandle::destroyForcibly);
                master.destroyForcibly();
            }));
        }
    }

    public static boolean isListening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static JarProcess launch(int port, Path dir, String... extraArgs) {
        return JarProcess.start(Members.volume("127.0.0.1", port, dir, List.of(extraArgs)).toArray(String[]::new));
    }

    private static boolean awaitServing(JarProcess launcher, int port) {
        return launcher.awaitOutput("volume :" + port + " serving ", START_TIMEOUT);
    }

    private Optional<Long> currentPid() {
        try {
            return Optional.of(Long.parseLong(Files.readString(dir.resolve(".minikv/nginx.pid")).strip()));
        } catch (NoSuchFileException | NumberFormatException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A pid is only reused by chance, but then it is someone else's process: check it is this volume's. */
    private boolean isOurNginx(ProcessHandle process) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline")).contains(dir.toString());
        } catch (IOException e) {
            return false;
        }
    }
}
