package minikv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchCommandTest {

    static {
        // The JDK server writes headers and body apart; with Nagle on, each response waits for
        // the client's delayed ACK (about 40 ms). Read once, when the first server is made.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** An index and its volume in one in-memory server: /KEY answers 302 to /volume/KEY. */
    private HttpServer fakeCluster;
    private final Map<String, byte[]> stored = new ConcurrentHashMap<>();
    private final AtomicBoolean corruptNextFetch = new AtomicBoolean();

    private record Run(int exitCode, String out, String err) {}

    private static Run bench(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new BenchCommand())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));
        int exitCode = cmd.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    @BeforeEach
    void startFakeCluster() throws IOException {
        fakeCluster = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        fakeCluster.setExecutor(Executors.newFixedThreadPool(4));
        fakeCluster.createContext("/", this::handle);
        fakeCluster.start();
    }

    @AfterEach
    void stopFakeCluster() {
        fakeCluster.stop(0);
    }

    private String indexUrl() {
        return "http://127.0.0.1:" + fakeCluster.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        byte[] request = exchange.getRequestBody().readAllBytes();
        switch (exchange.getRequestMethod()) {
            case "PUT" -> {
                stored.put(path, request);
                exchange.sendResponseHeaders(201, -1);
            }
            case "DELETE" -> exchange.sendResponseHeaders(stored.remove(path) == null ? 404 : 204, -1);
            case "GET" -> {
                if (path.startsWith("/volume/")) {
                    byte[] value = stored.get(path.substring("/volume".length())).clone();
                    if (corruptNextFetch.getAndSet(false)) {
                        value[0] ^= 1;
                    }
                    exchange.sendResponseHeaders(200, value.length);
                    exchange.getResponseBody().write(value);
                } else {
                    exchange.getResponseHeaders().add("Location", "/volume" + path);
                    exchange.sendResponseHeaders(302, -1);
                }
            }
            default -> exchange.sendResponseHeaders(405, -1);
        }
        exchange.close();
    }

    @Test
    void cyclesEveryKeyAndLeavesNothingBehind() {
        Run run = bench("--keys", "200", "--workers", "4", "--size", "1000", "--index", indexUrl());
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("200 of 200 cycles completed"), run.out());
        assertTrue(run.out().contains("0 failures"), run.out());
        assertTrue(stored.isEmpty(), "keys left behind: " + stored.keySet());
    }

    @Test
    void severalIndexesShareTheCycles() {
        String other = indexUrl().replace("127.0.0.1", "localhost"); // the same server, named apart
        Run run = bench("--keys", "40", "--workers", "2", "--index", indexUrl() + "," + other);
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("index " + indexUrl() + ", " + other), run.out());
        assertTrue(run.out().contains("40 of 40 cycles completed"), run.out());
        assertTrue(stored.isEmpty(), "keys left behind: " + stored.keySet());
    }

    @Test
    void aWrongValueFailsTheRunAndIsNamed() {
        corruptNextFetch.set(true);
        Run run = bench("--keys", "20", "--workers", "2", "--index", indexUrl() + "/");
        assertEquals(1, run.exitCode(), run.out());
        assertTrue(run.out().contains("FAILED: 1 failures"), run.out());
        assertTrue(run.out().contains("wrong value, 25 bytes that differ from the 25 bytes PUT"), run.out());
    }

    @Test
    void aWrongStatusFailsTheRunAndIsNamed() {
        fakeCluster.removeContext("/");
        fakeCluster.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        Run run = bench("--keys", "3", "--workers", "1", "--index", indexUrl());
        assertEquals(1, run.exitCode(), run.out());
        assertTrue(run.out().contains("FAILED: 3 failures"), run.out());
        assertTrue(run.out().contains(": status 500, expected 201"), run.out());
    }

    @Test
    void rejectsNonsenseOptionsWithUsageExitCode() {
        for (String[] args : new String[][] {
                {"--keys", "0"},
                {"--workers", "0"},
                {"--workers", "5000"},
                {"--size", "0"},
                {"--index", "ftp://127.0.0.1:3000"},
                {"--index", "http://127.0.0.1:3000/some/key"},
                {"--index", "127.0.0.1:3000"},
                {"--index", "http://[::1"}}) {
            Run run = bench(args);
            assertEquals(2, run.exitCode(), String.join(" ", args) + " was accepted: " + run.out());
            assertTrue(run.err().contains(args[0]), run.err());
        }
    }
}
