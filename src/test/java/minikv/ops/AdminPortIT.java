package minikv.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import minikv.testing.FreePorts;
import minikv.testing.Http;
import minikv.testing.JarProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the admin endpoints live: a port of their own (so no key is shadowed), port + 1000 unless
 * chosen. The index runs without them rather than not at all when the default is taken, but not
 * when the operator chose the port. No volume is needed for any of this: they are all down.
 */
class AdminPortIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String NO_VOLUME = "127.0.0.1:1";

    @TempDir
    Path dir;

    @Test
    void adminPathsOnTheMainPortAreOrdinaryKeys() {
        int port = FreePorts.next();
        int adminPort = FreePorts.next();
        try (JarProcess index = startIndex(port, "--admin-port", Integer.toString(adminPort))) {
            assertTrue(index.awaitOutput("admin endpoints on http://127.0.0.1:" + adminPort + "/", WAIT), index.output());

            assertEquals(404, Http.get("http://127.0.0.1:" + port + "/metrics").statusCode(), "a key like any other");
            assertEquals(200, Http.get("http://127.0.0.1:" + adminPort + "/metrics").statusCode());
            assertEquals(503, Http.get("http://127.0.0.1:" + adminPort + "/health/ready").statusCode(), "its volume is down");
            assertEquals(302, Http.get("http://127.0.0.1:" + adminPort + "/").statusCode());
            assertEquals(404, Http.get("http://127.0.0.1:" + adminPort + "/key").statusCode());
            assertEquals(405, Http.delete("http://127.0.0.1:" + adminPort + "/metrics").statusCode());
        }
    }

    @Test
    void aBusyDefaultAdminPortCostsAWarningNotTheIndex() throws IOException {
        int port = freePortWithAFreeAdminPort();
        try (ServerSocket squatter = listen(port + 1000); JarProcess index = startIndex(port)) {
            assertTrue(index.awaitOutput("cannot listen on admin port 127.0.0.1:" + squatter.getLocalPort(), WAIT),
                    index.output());
            assertEquals(404, Http.get("http://127.0.0.1:" + port + "/some-key").statusCode(), "the key space serves");
        }
    }

    @Test
    void aBusyChosenAdminPortStopsTheIndex() throws IOException {
        try (ServerSocket squatter = listen(0);
             JarProcess index = startIndex(FreePorts.next(), "--admin-port", Integer.toString(squatter.getLocalPort()))) {
            assertEquals(1, index.waitFor(WAIT));
            assertTrue(index.output().contains("index: cannot serve the admin endpoints: admin port 127.0.0.1:"
                    + squatter.getLocalPort() + ": Address already in use"),
                    index.output());
        }
    }

    private JarProcess startIndex(int port, String... options) {
        List<String> args = new ArrayList<>(List.of("index", "--bind", "127.0.0.1", "--port", Integer.toString(port),
                "--db", dir.resolve("db").toString(), "--replicas", "1"));
        args.addAll(List.of(options));
        args.add(NO_VOLUME);
        JarProcess index = JarProcess.start(args.toArray(String[]::new));
        if (!index.awaitOutput("index 127.0.0.1:" + port + " ", WAIT) && index.isAlive()) {
            index.close();
        }
        return index;
    }

    /** A port below 64536, so that the default admin port (+1000) exists. */
    private static int freePortWithAFreeAdminPort() {
        while (true) {
            int port = FreePorts.next();
            if (port + 1000 <= 65535) {
                return port;
            }
        }
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return socket;
    }
}
