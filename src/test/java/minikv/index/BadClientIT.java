package minikv.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import minikv.testing.Await;
import minikv.testing.Cluster;
import minikv.testing.Http;
import minikv.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Clients that misbehave: garbage, oversized headers, bodies that end early or stall, hang-ups
 * mid-upload, and a thousand connections that do nothing. Each gets a clear answer (or is
 * dropped), leaves no replica and no record behind, and costs the other clients nothing.
 */
class BadClientIT {

    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(dir, 2, "--replicas", "2", "--write-timeout", WRITE_TIMEOUT.toSeconds() + "s");
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    void garbageIsABadRequest() {
        byte[] garbage = new byte[300];
        new Random(7).nextBytes(garbage);

        try (RawHttp client = RawHttp.connect(cluster.url("/"))) {
            client.send(garbage).send("\r\n\r\n");

            assertTrue(client.readUntilClosed(PATIENCE).startsWith("HTTP/1.1 400 "));
        }
        assertServing();
    }

    @Test
    void oversizedOrTooManyHeadersAreABadRequest() {
        String big = "PUT /big-header HTTP/1.1\r\nHost: a\r\nX-Big: " + "a".repeat(20_000) + "\r\nContent-Length: 1\r\n\r\nx";
        StringBuilder many = new StringBuilder("PUT /many-headers HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n");
        for (int i = 0; i < 100; i++) {
            many.append("X-Header-").append(i).append(": v\r\n");
        }
        many.append("\r\nx");
        String longUrl = "PUT /" + "k".repeat(20_000) + " HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx";

        for (String request : List.of(big, many.toString(), longUrl)) {
            try (RawHttp client = RawHttp.connect(cluster.url("/"))) {
                client.send(request);

                String answer = client.readUntilClosed(PATIENCE);
                assertTrue(answer.startsWith("HTTP/1.1 400 "), request.substring(0, 40) + " -> " + answer);
            }
        }
        assertEquals(List.of(), cluster.files());
        assertServing();
    }

    @Test
    void aBodyShorterThanItsContentLengthStoresNothing() {
        try (RawHttp client = RawHttp.connect(cluster.url("/"))) {
            client.send(RawHttp.putHead("/short", 1000)).send("x".repeat(500)).endOfInput();

            String answer = client.readUntilClosed(PATIENCE);
            assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
            assertTrue(answer.contains("the request body ended early") && answer.contains("nothing stored"), answer);
        }
        assertLeftNothing("/short");
    }

    @Test
    void aClientThatHangsUpMidUploadLeavesNoReplicaAndNoRecord() {
        try (RawHttp client = RawHttp.connect(cluster.url("/"))) {
            client.send(RawHttp.putHead("/hung-up", 1 << 20)).send(new byte[300_000]);
            // A byte each poll keeps the write timeout away, so a slow machine cannot miss the claim.
            List<String> polls = new ArrayList<>(); // status and time of each, for a failure's message
            long start = System.nanoTime();
            assertTrue(Await.until(() -> {
                client.send(new byte[1]);
                int status = Http.send("UNLINK", cluster.url("/hung-up")).statusCode();
                polls.add(status + " at " + (System.nanoTime() - start) / 1_000_000 + " ms");
                return status == 409;
            }, PATIENCE), "the PUT of /hung-up never started; UNLINK answered " + polls);
        } // closed with a reset, 300 KB into a 1 MiB body

        assertLeftNothing("/hung-up");
    }

    @Test
    void aStalledClientIsDroppedAfterTheWriteTimeoutAndItsKeyFreed() {
        try (RawHttp client = RawHttp.connect(cluster.url("/"))) {
            long start = System.nanoTime();
            client.send(RawHttp.putHead("/stalled", 1000)).send("x".repeat(10));
            awaitClaimed("/stalled");
            assertEquals(409, Http.put(cluster.url("/stalled"), bytes("impatient")).statusCode(),
                    "the stalled PUT holds its key meanwhile");

            client.readUntilClosed(PATIENCE);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis >= WRITE_TIMEOUT.toMillis() - 100 && millis < WRITE_TIMEOUT.toMillis() + 3_000,
                    "dropped after " + millis + " ms");
        }
        assertLeftNothing("/stalled");
    }

    /**
     * A PUT holds a worker while its body arrives. Clients from one address that trickle their
     * bodies hold at most half the workers: the rest get 429 at once, and a client from another
     * address still writes at once. (80 trickling clients used to hold all 64 workers.)
     */
    @Test
    void oneAddressHoldsAtMostHalfTheWorkers() throws Exception {
        int port = URI.create(cluster.url("/")).getPort();
        int clients = WritesPerAddress.MAX_WRITES_PER_ADDRESS + 8;
        List<Socket> trickling = new ArrayList<>();
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try {
            for (int i = 0; i < clients; i++) {
                Socket socket = new Socket("127.0.0.1", port);
                socket.getOutputStream().write((RawHttp.putHead("/trickle-" + i, 1000) + "x").getBytes(StandardCharsets.US_ASCII));
                trickling.add(socket);
            }
            // Each keeps sending a byte now and then, faster than --write-timeout.
            trickle.scheduleAtFixedRate(() -> trickling.forEach(s -> {
                try {
                    s.getOutputStream().write('x');
                } catch (IOException e) {
                    // refused and closed: nothing more to send
                }
            }), 300, 300, TimeUnit.MILLISECONDS);
            Thread.sleep(500);
            int refused = 0;
            for (Socket socket : trickling) {
                socket.setSoTimeout(50);
                try {
                    String answer = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                    assertEquals("HTTP/1.1 429", answer);
                    refused++;
                } catch (SocketTimeoutException e) {
                    // still uploading
                }
            }
            assertEquals(clients - WritesPerAddress.MAX_WRITES_PER_ADDRESS, refused, "PUTs refused beyond the bound");

            long start = System.nanoTime();
            assertEquals("HTTP/1.1 201", putFrom("127.0.0.2", port, "/other-address"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 1_000, "a PUT from another address took " + millis + " ms");
            assertEquals("HTTP/1.1 429", putFrom("127.0.0.1", port, "/same-address"));
            assertArrayEquals(bytes("v"), cluster.read("/other-address"), "reads go on");
        } finally {
            trickle.shutdownNow();
            for (Socket socket : trickling) {
                socket.close();
            }
        }
        assertLeftNothing("/trickle-0");
        assertServing();
    }

    /** A one-byte PUT from a socket bound to {@code source}; the answer's first 12 bytes. */
    private static String putFrom(String source, int port, String key) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(source, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout((int) PATIENCE.toMillis());
            socket.getOutputStream().write((RawHttp.putHead(key, 1) + "v").getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
        }
    }

    /**
     * Undertow's NIO parks an idle connection on a selector: no thread, a few KiB. The index
     * keeps its thread count and answers at once with 1,000 of them open (half of them
     * silent, half stuck in the middle of their request headers).
     */
    @Test
    void aThousandIdleConnectionsCostNoThreadAndDoNotSlowTheIndex() {
        assertEquals(201, Http.put(cluster.url("/busy"), bytes("busy")).statusCode());
        int threadsBefore = indexThreads();
        List<RawHttp> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                RawHttp connection = RawHttp.connect(cluster.url("/"));
                idle.add(connection);
                if (i % 2 == 1) {
                    connection.send("GET /busy HTTP/1.1\r\nHost: a\r\n");
                }
            }

            long start = System.nanoTime();
            assertEquals(201, Http.put(cluster.url("/while-idle"), bytes("prompt")).statusCode());
            assertArrayEquals(bytes("prompt"), cluster.read("/while-idle"));
            assertArrayEquals(bytes("busy"), cluster.read("/busy"));
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertTrue(millis < 1_000, "a PUT and two reads took " + millis + " ms");
            int threadsAfter = indexThreads();
            assertTrue(threadsAfter <= threadsBefore + 2, "threads: " + threadsBefore + " before, " + threadsAfter
                    + " with 1,000 idle connections");
        } finally {
            idle.forEach(RawHttp::close);
        }
    }

    /**
     * Keys that would be read differently by other HTTP tools, cannot be a file name, or would
     * end in a '/' once in base64 (minikeyvalue's file name): refused before anything is stored.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/a/../b         | 400 | a key may not have a . or .. path segment",
        "/%2e%2E/b       | 400 | a key may not have a . or .. path segment",
        "/a%2F..%2Fb     | 400 | a key may not have a . or .. path segment",
        "/nul%00byte     | 400 | a key may not contain NUL",
        "/bad%C3%28utf8  | 400 | not valid UTF-8",
        "/cut%E2%82      | 400 | not valid UTF-8",
        "/byte%FF        | 400 | not valid UTF-8",
        "/bad%zzescape   | 400 | Bad Request",
        "/a%3F           | 400 | would end in '/', which no file name can",
        "/%C2%BF         | 400 | would end in '/', which no file name can",
        "/ab%EF%BC%BF    | 400 | would end in '/', which no file name can"})
    void oddKeysAreRefusedWithTheReasonAndStoreNothing(String rawPath, int status, String reason) {
        List<Path> filesBefore = cluster.files();

        try (RawHttp client = RawHttp.connect(cluster.url("/"))) {
            client.send("PUT " + rawPath + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Length: 5\r\n\r\nvalue");

            String answer = client.readUntilClosed(PATIENCE);
            assertTrue(answer.startsWith("HTTP/1.1 " + status + " "), rawPath + " -> " + answer);
            assertTrue(answer.contains(reason), rawPath + " -> " + answer);
        }
        assertEquals(filesBefore, cluster.files());
    }

    /** Its base64 would not fit in one file name (255 bytes). */
    @Test
    void aKeyTooLongForAFileNameIsRefused() {
        HttpResponse<byte[]> put = Http.put(cluster.url("/" + "k".repeat(200)), bytes("long"));

        assertEquals(414, put.statusCode());
        assertTrue(new String(put.body(), StandardCharsets.UTF_8).startsWith("key too long"));
        assertEquals(List.of(), cluster.replicaFiles("/" + "k".repeat(200)));
    }

    /** A byte outside ASCII must be percent-encoded; raw, the request is malformed. */
    @Test
    void aRawNonAsciiKeyIsABadRequest() {
        try (RawHttp client = RawHttp.connect(cluster.url("/"))) {
            client.send("PUT /caf\u00e9 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nvalue");

            assertTrue(client.readUntilClosed(PATIENCE).startsWith("HTTP/1.1 400 "));
        }
    }

    /** As in minikeyvalue (Go decodes the path), %2F is a slash: one key, not a second file. */
    @Test
    void anEncodedSlashIsTheSameKeyAsASlash() {
        assertEquals(201, Http.put(cluster.url("/dir%2Fkey"), bytes("one key")).statusCode());

        assertArrayEquals(bytes("one key"), cluster.read("/dir/key"));
        assertEquals(403, Http.put(cluster.url("/dir/key"), bytes("another")).statusCode());
        assertEquals(2, cluster.replicaFiles("/dir/key").size(), "one value, on its 2 replicas");
    }

    /** UNLINK answers 404 (changing nothing) until a PUT has claimed the key, 409 while it holds it. */
    private static void awaitClaimed(String key) {
        assertEquals(409, Await.status(409, () -> Http.send("UNLINK", cluster.url(key)), PATIENCE),
                "the PUT of " + key + " never started");
    }

    /** Nothing of the failed PUT anywhere, and its key free for the next one. */
    private static void assertLeftNothing(String key) {
        int delete = Await.unclaimed(() -> Http.delete(cluster.url(key)), PATIENCE);
        assertEquals(404, delete, "a record of " + key + " was left behind");
        assertEquals(List.of(), cluster.replicaFiles(key));
        assertEquals(List.of(), cluster.partialUploads(), "nginx kept a partial body");
        assertEquals(201, Http.put(cluster.url(key), bytes("afterwards")).statusCode());
        assertArrayEquals(bytes("afterwards"), cluster.read(key));
    }

    private static void assertServing() {
        String key = "/still-serving-" + System.nanoTime();
        assertEquals(201, Http.put(cluster.url(key), bytes(key)).statusCode());
        assertArrayEquals(bytes(key), cluster.read(key));
    }

    private static int indexThreads() {
        try {
            String status = Files.readString(Path.of("/proc", Long.toString(cluster.index().pid()), "status"));
            return Integer.parseInt(status.lines().filter(l -> l.startsWith("Threads:")).findFirst().orElseThrow()
                    .substring("Threads:".length()).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
