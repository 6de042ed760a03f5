package minikv.volume;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import minikv.testing.JarProcess;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;

/** What the tests whose volume hosts are containers share. */
final class VolumeHosts {

    private VolumeHosts() {}

    /** The host's volume as the index names it: its port 80, published on 127.0.0.1. */
    static String address(GenericContainer<?> host) {
        return host.getHost() + ":" + host.getMappedPort(80);
    }

    /** The lines {@code find ARGS} prints inside the host. */
    static List<String> find(GenericContainer<?> host, String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "find";
        System.arraycopy(args, 0, command, 1, args.length);
        try {
            ExecResult find = host.execInContainer(command);
            return find.getStdout().lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An index on 127.0.0.1:{@code port} over the hosts' volumes, with its database in {@code db}, once it serves. */
    static JarProcess startIndex(int port, Path db, List<GenericContainer<?>> hosts, String... options) {
        List<String> args = new ArrayList<>(List.of("index", "--bind", "127.0.0.1", "--port", Integer.toString(port),
                "--db", db.toString()));
        args.addAll(List.of(options));
        hosts.forEach(host -> args.add(address(host)));
        JarProcess index = JarProcess.start(args.toArray(String[]::new));
        if (!index.awaitOutput("index 127.0.0.1:" + port + " ", Duration.ofSeconds(30))) {
            index.close();
            fail("index did not start:\n" + index.output());
        }
        return index;
    }

    static byte[] random(int size, long seed) {
        byte[] value = new byte[size];
        new Random(seed).nextBytes(value);
        return value;
    }
}
