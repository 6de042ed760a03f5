package minikv.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import minikv.testing.Await;
import minikv.testing.Cluster;
import minikv.testing.Http;
import minikv.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests whose framing or query the index could misread get a 4xx/501 that says why, store
 * nothing, change nothing, and log no error (a client must not be able to trip a 5xx alert or
 * flood the log). Each used to be misread: a Content-Length of 2^64 wrapped to 0 in Undertow and
 * reached the PUT as a 500 with a stack trace; {@code gzip} bodies were stored still gzipped;
 * {@code DELETE /k?list} deleted {@code /k}; {@code HEAD /?list} answered 404.
 */
class RequestFramingIT {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    static Cluster cluster;

    @BeforeAll
    static void start() {
        cluster = Cluster.start(dir, 3);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void anAbsurdContentLengthIs400AndClosesTheConnection() {
        // Undertow refuses these itself (an empty 400) or, for the ones that wrap to a small
        // number, lets them through to the index, which refuses them with the reason.
        for (String length : List.of("18446744073709551616", "18446744073709551621", "9223372036854775808",
                "99999999999999999999")) {
            String answer = raw("PUT /absurd HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\nhello");
            assertTrue(answer.startsWith("HTTP/1.1 400 "), length + ": " + answer);
            assertTrue(answer.contains("Connection: close") || answer.contains("connection: close"), answer);
            assertFalse(answer.contains("index error"), answer);
        }
        String wrapped = raw("PUT /absurd HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551616\r\n\r\nhello");
        assertTrue(wrapped.contains("Content-Length must be a decimal number of bytes below 2^63"), wrapped);
        assertEquals(404, Http.get(cluster.url("/absurd")).statusCode());
        assertNoErrorLogged();
    }

    @Test
    void aTransferCodingOtherThanChunkedIs501AndStoresNothing() {
        for (String coding : List.of("gzip", "gzip, chunked", "identity")) {
            String answer = raw("PUT /coded HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + coding
                    + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            // Undertow itself refuses "identity" without a length (400): either way nothing is stored.
            assertTrue(answer.startsWith("HTTP/1.1 501 ") || coding.equals("identity") && answer.startsWith("HTTP/1.1 400 "),
                    coding + ": " + answer);
            if (answer.startsWith("HTTP/1.1 501 ")) {
                assertTrue(answer.contains("Transfer-Encoding '" + coding + "' is not supported"), answer);
            }
        }
        assertEquals(404, Http.get(cluster.url("/coded")).statusCode());
        assertEquals(List.of(), cluster.replicaFiles("/coded"));
        assertNoErrorLogged();
    }

    /** Undertow's chunk decoder closes the connection itself: no answer, but nothing stored and nothing logged. */
    @Test
    void aBadChunkSizeStoresNothing() {
        for (String size : List.of("zz", "ffffffffffffffffff")) {
            String key = "/chunky-" + size;
            String answer = raw("PUT " + key + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + size
                    + "\r\nhello\r\n0\r\n\r\n");
            assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 400 "), size + ": " + answer);
            assertEquals(404, Await.unclaimed(() -> Http.delete(cluster.url(key)), PATIENCE), "no record of " + key);
            assertEquals(List.of(), cluster.replicaFiles(key));
        }
        assertNoErrorLogged();
    }

    @Test
    void tooManyQueryParametersGetTheReason() {
        String query = IntStream.range(0, 17).mapToObj(i -> "p" + i + "=1").collect(Collectors.joining("&"));
        HttpResponse<byte[]> answer = Http.get(cluster.url("/?" + query));
        assertEquals(400, answer.statusCode());
        assertEquals("at most 16 query parameters\n", text(answer));
    }

    @Test
    void aKeyChangeTakesNoQuery() {
        assertEquals(201, Http.put(cluster.url("/kept"), bytes("kept")).statusCode());

        HttpResponse<byte[]> delete = Http.delete(cluster.url("/kept?list"));
        assertEquals(400, delete.statusCode());
        assertTrue(text(delete).contains("DELETE takes no query ('?list')"), text(delete));
        assertEquals(400, Http.send("UNLINK", cluster.url("/kept?unlinked")).statusCode());
        assertEquals(400, Http.put(cluster.url("/other?list"), bytes("x")).statusCode());

        assertArrayEquals(bytes("kept"), cluster.read("/kept"), "nothing changed");
        assertEquals(404, Http.get(cluster.url("/other")).statusCode());
    }

    @Test
    void headOfAListingIsAGetWithoutTheBody() {
        assertEquals(201, Http.put(cluster.url("/listed"), bytes("x")).statusCode());

        HttpResponse<byte[]> head = Http.send("HEAD", cluster.url("/?list"));
        assertEquals(200, head.statusCode());
        assertEquals("application/json", head.headers().firstValue("Content-Type").orElse(""));
        assertEquals(0, head.body().length);
        assertEquals(400, Http.send("HEAD", cluster.url("/?list&limit=zero")).statusCode(), "the query is checked as for GET");
    }

    @Test
    void aBadPercentEscapeIs400() {
        assertTrue(raw("GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 400 "));
        assertTrue(raw("GET /?list&start=%zz HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 400 "));
    }

    private static String raw(String request) {
        try (RawHttp http = RawHttp.connect(cluster.url("/"))) {
            return http.send(request).readUntilClosed(PATIENCE);
        }
    }

    private static void assertNoErrorLogged() {
        String log = cluster.index().output();
        assertFalse(log.contains(" ERROR "), log);
        assertFalse(log.contains("Exception"), log);
    }

    private static String text(HttpResponse<byte[]> answer) {
        return new String(answer.body(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
