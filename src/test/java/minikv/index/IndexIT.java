package minikv.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import minikv.cluster.ReplicaName;
import minikv.placement.Placement;
import minikv.testing.Cluster;
import minikv.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index's API on a real cluster: 3 nginx volumes and the index, all from the built jar. */
class IndexIT {

    @TempDir
    static Path dir;
    static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(dir, 3);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] random(int size) {
        byte[] value = new byte[size];
        ThreadLocalRandom.current().nextBytes(value);
        return value;
    }

    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    private static int put(String key, byte[] value) {
        return Http.put(cluster.keyUrl(key), value).statusCode();
    }

    @Test
    void aValueIsWrittenToEveryReplicaAndServedByRedirect() throws IOException {
        byte[] value = bytes("hello world");
        assertEquals(201, put("/hello", value));

        HttpResponse<byte[]> get = Http.get(cluster.url("/hello"));
        assertEquals(302, get.statusCode());
        assertEquals("0", get.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("5eb63bbbe01eeed093cb22bb8f5acdc3", get.headers().firstValue("Content-Md5").orElseThrow());
        assertEquals("balanced", get.headers().firstValue("Key-Balance").orElseThrow());
        List<String> locations = cluster.locations("/hello");
        assertEquals(String.join(",", locations), get.headers().firstValue("Key-Volumes").orElseThrow());
        String location = get.headers().firstValue("Location").orElseThrow();
        assertTrue(locations.stream().anyMatch(l -> location.equals(
                "http://" + Placement.volumeOf(l) + Placement.replicaPath(l, bytes("/hello")))), location);
        assertArrayEquals(value, Http.get(location).body());

        HttpResponse<byte[]> head = Http.send("HEAD", cluster.url("/hello"));
        assertEquals(302, head.statusCode());
        assertTrue(head.headers().firstValue("Location").isPresent());

        // Each replica is a plain file at minikeyvalue's path, on the volume placement chose.
        for (String l : locations) {
            assertArrayEquals(value, Files.readAllBytes(cluster.replicaFile(l, "/hello")), l);
        }
        assertEquals(3, cluster.replicaFiles("/hello").size());

        assertEquals(204, Http.delete(cluster.url("/hello")).statusCode());
        HttpResponse<byte[]> gone = Http.get(cluster.url("/hello"));
        assertEquals(404, gone.statusCode());
        assertEquals("0", gone.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(List.of(), cluster.replicaFiles("/hello"));
        assertEquals(404, Http.delete(cluster.url("/hello")).statusCode());
    }

    @Test
    void valuesAreNeverOverwrittenAndEmptyBodiesStoreNothing() throws Exception {
        assertEquals(201, put("/once", bytes("first")));
        HttpResponse<byte[]> again = Http.put(cluster.url("/once"), bytes("second"));
        assertEquals(403, again.statusCode());
        assertTrue(body(again).contains("exists"), body(again));
        assertArrayEquals(bytes("first"), cluster.read("/once"));

        HttpResponse<byte[]> empty = Http.put(cluster.url("/empty"), new byte[0]);
        assertEquals(411, empty.statusCode());
        assertEquals(411, rawPut("/empty", "Transfer-Encoding: chunked", bytes("0\r\n\r\n"), false));
        assertNull(cluster.read("/empty"));
        assertEquals(List.of(), cluster.replicaFiles("/empty"));
    }

    @Test
    void racingPutsOfOneKeyHaveExactlyOneWinner() throws Exception {
        int writers = 16;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            CountDownLatch go = new CountDownLatch(1);
            Map<Integer, byte[]> values = new ConcurrentHashMap<>();
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                byte[] value = random(256 * 1024);
                values.put(i, value);
                statuses.add(pool.submit(() -> {
                    go.await();
                    return put("/raced", value);
                }));
            }
            go.countDown();
            int winner = -1;
            for (int i = 0; i < writers; i++) {
                int status = statuses.get(i).get();
                if (status == 201) {
                    assertEquals(-1, winner, "two PUTs won");
                    winner = i;
                } else {
                    assertTrue(status == 409 || status == 403, "a losing PUT answered " + status);
                }
            }
            assertTrue(winner >= 0, "no PUT won");
            assertArrayEquals(values.get(winner), cluster.read("/raced"));
            assertEquals(3, cluster.replicaFiles("/raced").size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void a16MiBValueRoundTripsWithItsMd5() {
        byte[] value = random(16 * 1024 * 1024);
        assertEquals(201, put("/big", value));
        HttpResponse<byte[]> get = Http.get(cluster.url("/big"));
        assertEquals(HexFormat.of().formatHex(Placement.md5(value)), get.headers().firstValue("Content-Md5").orElseThrow());
        assertArrayEquals(value, cluster.read("/big"));
    }

    @Test
    void oddKeysRoundTrip() throws IOException {
        List<String> keys = List.of("/with space", "/ünïcødé/日本語", "/question?mark", "/a?b", "/plus+and=equals",
                "/deep/path/to/some/key.txt", "/trailing/", "/%percent", "/" + "k".repeat(182));
        for (String key : keys) {
            byte[] value = bytes("value of " + key);
            assertEquals(201, put(key, value), key);
            assertArrayEquals(value, cluster.read(key), key);
        }
        // A ;param is part of the key, sent raw or encoded (Undertow alone would cut it off).
        assertEquals(201, Http.put(cluster.url("/matrix;a=1/b;c"), bytes("m")).statusCode());
        assertArrayEquals(bytes("m"), cluster.read("/matrix;a=1/b;c"));
        assertEquals(403, Http.put(cluster.url("/matrix%3Ba=1/b%3Bc"), bytes("m")).statusCode());
        assertEquals(404, Http.get(cluster.url("/matrix")).statusCode());
        // %2F is a slash like any other: the same key as the plain path.
        assertArrayEquals(bytes("value of /deep/path/to/some/key.txt"), cluster.read("/deep/path/to/some/key.txt"));
        assertEquals(302, Http.get(cluster.url("/deep%2Fpath%2Fto/some/key.txt")).statusCode());
        // A base64 name with a slash is a nested directory on the volume (/a?b is "L2E/Yg==").
        Path nested = cluster.replicaFile(cluster.locations("/a?b").get(0), "/a?b");
        assertTrue(nested.toString().endsWith("/L2E/Yg=="), nested.toString());
        assertArrayEquals(bytes("value of /a?b"), Files.readAllBytes(nested));
    }

    @Test
    void badKeysAreRefusedWithAReason() throws IOException {
        assertEquals(400, rawRequest("GET /bad%FF HTTP/1.1").status);
        assertEquals(400, rawRequest("PUT /nul%00byte HTTP/1.1").status);
        RawResponse dots = rawRequest("GET /a/../b HTTP/1.1");
        assertEquals(400, dots.status);
        assertTrue(dots.text.contains(". or .."), dots.text);
        assertEquals(400, rawRequest("GET /a/%2E%2E/b HTTP/1.1").status);

        HttpResponse<byte[]> tooLong = Http.put(cluster.url("/" + "k".repeat(189)), bytes("x"));
        assertEquals(414, tooLong.statusCode());
        assertTrue(body(tooLong).contains("255"), body(tooLong));
        assertEquals(List.of(), cluster.files().stream().filter(p -> p.getFileName().toString().length() > 255).toList());
        // Short enough for a file name, too long for its unlinked name: refused too, so that
        // every key stored can be unlinked (184-189 bytes used to be stored, then never unlinked).
        for (int length : new int[] {184, 189}) {
            HttpResponse<byte[]> noRoomToUnlink = Http.put(cluster.url("/" + "k".repeat(length - 1)), bytes("x"));
            assertEquals(414, noRoomToUnlink.statusCode(), body(noRoomToUnlink));
            assertTrue(body(noRoomToUnlink).contains("at most 183"), body(noRoomToUnlink));
        }
        String longest = "/" + "j".repeat(182);
        assertEquals(201, Http.put(cluster.url(longest), bytes("x")).statusCode());
        assertEquals(204, Http.send("UNLINK", cluster.url(longest)).statusCode());
        assertEquals(cluster.locations(longest).size(), cluster.replicaFiles(longest).stream()
                .filter(p -> p.toString().endsWith(ReplicaName.UNLINKED_SUFFIX)).count(), "every replica renamed");
        assertEquals(204, Http.send("RELINK", cluster.url(longest)).statusCode());
        assertArrayEquals(bytes("x"), cluster.read(longest));
        assertEquals(204, Http.delete(cluster.url(longest)).statusCode());

        HttpResponse<byte[]> post = Http.send("POST", cluster.url("/x"));
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD, PUT, DELETE, UNLINK, RELINK, REBALANCE, VERIFY, REPAIR", post.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void contentMd5IsCheckedAndAMismatchStoresNothing() {
        byte[] value = bytes("checked value");
        String good = Base64.getEncoder().encodeToString(Placement.md5(value));
        String bad = Base64.getEncoder().encodeToString(Placement.md5(bytes("another value")));
        assertEquals(201, Http.put(cluster.url("/md5/good"), value, "Content-MD5", good).statusCode());
        assertArrayEquals(value, cluster.read("/md5/good"));

        HttpResponse<byte[]> mismatch = Http.put(cluster.url("/md5/bad"), value, "Content-MD5", bad);
        assertEquals(400, mismatch.statusCode());
        assertTrue(body(mismatch).contains("Content-MD5"), body(mismatch));
        assertNull(cluster.read("/md5/bad"));
        assertEquals(List.of(), cluster.replicaFiles("/md5/bad"));
        assertEquals(400, Http.put(cluster.url("/md5/junk"), value, "Content-MD5", "not-base64!").statusCode());
    }

    @Test
    void aLargeBodysMd5CoversEveryByteInOrder() {
        // Several buffers' worth, digested on another thread while they are sent.
        byte[] value = random(2 * 1024 * 1024 + 5);
        byte[] swapped = value.clone();
        swapped[300_000] = value[600_000];
        swapped[600_000] = value[300_000];
        String good = Base64.getEncoder().encodeToString(Placement.md5(value));
        assertEquals(400, Http.put(cluster.url("/md5/large-bad"), swapped, "Content-MD5", good).statusCode());
        assertEquals(List.of(), cluster.replicaFiles("/md5/large-bad"));
        assertEquals(201, Http.put(cluster.url("/md5/large"), value, "Content-MD5", good).statusCode());
        assertArrayEquals(value, cluster.read("/md5/large"));
    }

    @Test
    void aChunkedBodyIsStreamedToTheReplicas() throws Exception {
        byte[] value = random(3 * 1024 * 1024 + 17);
        HttpRequest request = HttpRequest.newBuilder(URI.create(cluster.url("/chunked")))
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(value)))
                .build(); // unknown length: the JDK client sends it chunked
        HttpResponse<Void> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request, HttpResponse.BodyHandlers.discarding());
        assertEquals(201, response.statusCode());
        assertArrayEquals(value, cluster.read("/chunked"));
        assertEquals(HexFormat.of().formatHex(Placement.md5(value)),
                Http.get(cluster.url("/chunked")).headers().firstValue("Content-Md5").orElseThrow());
    }

    @Test
    void aClientThatHangsUpMidBodyLeavesNoRecordAndNoFile() throws Exception {
        // Promises 4 MiB, sends 1 MiB, goes away.
        assertEquals(-1, rawPut("/hangup", "Content-Length: " + (4 << 20), random(1 << 20), true));
        waitUntilPutWorks("/hangup");

        // The same with a chunked body cut short: one whole chunk, then nothing.
        ByteArrayOutputStream partial = new ByteArrayOutputStream();
        partial.write(bytes(Integer.toHexString(100_000) + "\r\n"));
        partial.write(random(100_000));
        partial.write(bytes("\r\n"));
        assertEquals(-1, rawPut("/hangup-chunked", "Transfer-Encoding: chunked", partial.toByteArray(), true));
        waitUntilPutWorks("/hangup-chunked");
    }

    /** Nothing is left of an abandoned PUT: no listing, no file, and the key can be written again. */
    private static void waitUntilPutWorks(String key) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            assertNull(cluster.read(key));
            assertEquals(List.of(), cluster.replicaFiles(key));
            assertTrue(!body(Http.get(cluster.url("/?list"))).contains("\"" + key + "\""));
            int status = put(key, bytes("after the hang-up"));
            if (status == 201) {
                break;
            }
            assertEquals(409, status, "only the abandoned PUT's claim may be in the way");
            assertTrue(System.nanoTime() < deadline, "the abandoned PUT still holds " + key);
            Thread.sleep(50);
        }
        assertArrayEquals(bytes("after the hang-up"), cluster.read(key));
    }

    @Test
    void unlinkHidesRelinkRestoresAndPutReplacesAnUnlinkedValue() {
        assertEquals(201, put("/linked", bytes("v1")));
        assertEquals(204, Http.send("UNLINK", cluster.url("/linked")).statusCode());
        assertNull(cluster.read("/linked"));
        assertEquals(3, cluster.replicaFiles("/linked").size(), "UNLINK keeps the files");
        assertTrue(cluster.replicaFiles("/linked").stream().allMatch(p -> p.toString().endsWith(".unlinked")),
                "UNLINK renames them, for a rebuild to see: " + cluster.replicaFiles("/linked"));
        assertEquals(404, Http.send("UNLINK", cluster.url("/linked")).statusCode());
        assertTrue(body(Http.get(cluster.url("/linked?unlinked"))).contains("\"/linked\""));
        assertTrue(!body(Http.get(cluster.url("/linked?list"))).contains("\"/linked\""));

        assertEquals(204, Http.send("RELINK", cluster.url("/linked")).statusCode());
        assertArrayEquals(bytes("v1"), cluster.read("/linked"));
        assertTrue(cluster.replicaFiles("/linked").stream().noneMatch(p -> p.toString().endsWith(".unlinked")));
        assertEquals(404, Http.send("RELINK", cluster.url("/linked")).statusCode());
        assertEquals(404, Http.send("UNLINK", cluster.url("/never-there")).statusCode());

        assertEquals(204, Http.send("UNLINK", cluster.url("/linked")).statusCode());
        assertEquals(201, put("/linked", bytes("v2")));
        assertArrayEquals(bytes("v2"), cluster.read("/linked"));
        assertEquals(3, cluster.replicaFiles("/linked").size(), "the replaced value's unlinked files are gone");

        assertEquals(204, Http.send("UNLINK", cluster.url("/linked")).statusCode());
        assertEquals(204, Http.delete(cluster.url("/linked")).statusCode(), "unlinked keys can be deleted");
        assertEquals(List.of(), cluster.replicaFiles("/linked"));
    }

    @Test
    void listingsPageThroughKeysInOrder() {
        for (String k : List.of("/ls/c", "/ls/a", "/ls/é", "/ls/b", "/ls/d", "/lsx")) {
            assertEquals(201, put(k, bytes(k)));
        }
        assertEquals(204, Http.send("UNLINK", cluster.url("/ls/d")).statusCode());

        HttpResponse<byte[]> all = Http.get(cluster.url("/ls/?list"));
        assertEquals(200, all.statusCode());
        assertEquals("application/json", all.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("{\"next\":\"\",\"keys\":[\"/ls/a\",\"/ls/b\",\"/ls/c\",\"/ls/é\"]}", body(all));

        assertEquals("{\"next\":\"/ls/c\",\"keys\":[\"/ls/a\",\"/ls/b\"]}", body(Http.get(cluster.url("/ls/?list&limit=2"))));
        assertEquals("{\"next\":\"\",\"keys\":[\"/ls/c\",\"/ls/é\"]}",
                body(Http.get(cluster.url("/ls/?list&limit=2&start=%2Fls%2Fc"))));
        assertEquals("{\"next\":\"\",\"keys\":[\"/ls/d\"]}", body(Http.get(cluster.url("/ls/?unlinked"))));

        HttpResponse<byte[]> badLimit = Http.get(cluster.url("/ls/?list&limit=0"));
        assertEquals(400, badLimit.statusCode());
        assertTrue(body(badLimit).contains("limit"), body(badLimit));
        assertEquals(400, Http.get(cluster.url("/ls/?list&limit=ten")).statusCode());
    }

    private record RawResponse(int status, String text) {}

    /** A request written by hand, for what HTTP clients refuse to send. */
    private static RawResponse rawRequest(String requestLine) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port())) {
            socket.getOutputStream().write(bytes(requestLine + "\r\nHost: x\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx"));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new RawResponse(Integer.parseInt(response.substring(9, 12)), response);
        }
    }

    /**
     * A PUT written by hand. With {@code hangUp}, the socket is closed right after the body and
     * -1 returned; otherwise the status of the answer.
     */
    private static int rawPut(String path, String lengthHeader, byte[] body, boolean hangUp) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port())) {
            OutputStream out = socket.getOutputStream();
            out.write(bytes("PUT " + path + " HTTP/1.1\r\nHost: x\r\n" + lengthHeader + "\r\n\r\n"));
            out.write(body);
            out.flush();
            if (hangUp) {
                Thread.sleep(200); // let the index start streaming to the volumes
                return -1;
            }
            InputStream in = socket.getInputStream();
            String statusLine = new String(in.readNBytes(12), StandardCharsets.UTF_8);
            return Integer.parseInt(statusLine.substring(9, 12));
        }
    }

    private static int port() {
        return URI.create(cluster.url("/")).getPort();
    }
}
