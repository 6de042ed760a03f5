package minikv.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import minikv.security.ClusterSecret;
import minikv.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client's pooling, resend rule, deadlines and abort, against a scripted HTTP server in the
 * test's process: each case needs the server to do something at a chosen moment (close an idle
 * connection, stay silent after a request, cut an answer short) that nginx cannot be made to do.
 */
class ClusterHttpTest {

    private static final Duration ANSWER = Duration.ofMillis(400);
    private static final Duration PATIENCE = Duration.ofSeconds(5);
    private static final byte[] BODY = "value".getBytes(StandardCharsets.UTF_8);
    private static final String CREATED = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";

    private final Server server = new Server();
    private final ClusterHttp http = new ClusterHttp(Duration.ofSeconds(1), Optional.empty(), 4);

    @AfterEach
    void close() throws IOException {
        http.close();
        server.close();
    }

    @Test
    void requestsInTurnShareOnePooledConnection() throws IOException {
        server.script = (request, connection) -> CREATED;

        for (int i = 0; i < 3; i++) {
            assertEquals(201, http.send(server.host(), "PUT", "/k" + i, BODY, ANSWER).status());
        }

        assertEquals(1, server.connections.get());
        assertEquals(List.of("PUT /k0 value", "PUT /k1 value", "PUT /k2 value"), server.requests);
        assertEquals(1, http.idleCount(server.host()));
    }

    @Test
    void aHeldRequestMeetingAPooledConnectionTheServerClosedIsSentOnceMoreOnANewOne() throws IOException {
        server.script = (request, connection) -> connection == 1 ? CREATED + Server.CLOSE : CREATED;
        assertEquals(201, http.send(server.host(), "PUT", "/a", BODY, ANSWER).status());
        server.awaitClosed(1);

        assertEquals(201, http.send(server.host(), "PUT", "/b", BODY, ANSWER).status());

        assertEquals(List.of("PUT /a value", "PUT /b value"), server.requests, "each arrived once");
        assertEquals(2, server.connections.get());
    }

    @Test
    void aStreamedBodyCannotBeSentAgainSoItNeverTakesAPooledConnection() throws IOException {
        server.script = (request, connection) -> CREATED;
        http.send(server.host(), "PUT", "/a", BODY, ANSWER).status();

        Exchange streamed = http.stream(server.host(), "PUT", "/b", -1, ANSWER);
        streamed.body().write(BODY);
        assertEquals(201, streamed.status());

        assertEquals(2, server.connections.get());
        assertEquals("PUT /b value", server.requests.get(1), "sent in chunks, arrived whole");
    }

    @Test
    void aWriteLeftUnansweredIsOfUnknownOutcomeAndItsConnectionWatchedUntilTheServerAnswers() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server.script = answersOnlyAfter(release);
        Exchange delete = http.send(server.host(), "DELETE", "/k", new byte[0], ANSWER);

        OutcomeUnknown unknown = assertThrows(OutcomeUnknown.class, delete::status);
        assertInstanceOf(SocketTimeoutException.class, unknown.getCause());
        assertFalse(delete.outcomeKnownNow(), "the server may still act on it");
        release.countDown();
        assertTrue(Await.until(delete::outcomeKnownNow, PATIENCE), "the server answered: it is done with it");
    }

    @Test
    void aReadLeftUnansweredIsAPlainTimeoutAndClosesItsConnection() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        server.script = answersOnlyAfter(never);

        IOException e = assertThrows(IOException.class, () -> http.ask(server.host(), "GET", "/k", ANSWER));

        assertInstanceOf(SocketTimeoutException.class, e, "a GET changes nothing: its outcome is never unknown");
        never.countDown(); // the server answers, then finds the connection closed
        server.awaitClosed(1);
    }

    @Test
    void anAbortWakesTheThreadWaitingForTheAnswerAtOnce() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        server.script = answersOnlyAfter(never);
        Exchange slow = http.send(server.host(), "PUT", "/k", BODY, Duration.ofMinutes(1));
        CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return slow.status();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        server.awaitRequests(1);

        long start = System.nanoTime();
        slow.abort();
        Exception e = assertThrows(Exception.class, () -> waiting.get(5, TimeUnit.SECONDS));

        assertInstanceOf(OutcomeUnknown.class, e.getCause().getCause(), "the whole PUT was sent: its outcome is unknown");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "woken within the abort poll, not the deadline");
        assertFalse(slow.outcomeKnownNow(), "the connection stays open to learn the outcome");
        never.countDown();
    }

    @Test
    void anAbortBeforeTheLastByteClosesTheConnectionSoNothingIsStored() throws Exception {
        server.script = (request, connection) -> CREATED;
        Exchange streamed = http.stream(server.host(), "PUT", "/k", BODY.length, ANSWER);
        streamed.body().write(BODY, 0, BODY.length - 1);
        streamed.body().flush();

        streamed.abort();

        assertThrows(IOException.class, streamed::status);
        server.awaitClosed(1);
        assertEquals(List.of(), server.requests, "the server never had the whole request");
    }

    @Test
    void anAnswerCutShortIsNotSentAgain() {
        server.script = (request, connection) -> "HTTP/1.1 201 Cre" + Server.CLOSE;

        assertThrows(IOException.class, () -> http.send(server.host(), "PUT", "/k", BODY, ANSWER).status());

        assertEquals(1, server.requests.size(), "the server had begun to answer: it may have acted");
    }

    @Test
    void theClusterSecretGoesWithEveryRequest() throws IOException {
        server.script = (request, connection) -> CREATED;
        try (ClusterHttp withSecret = new ClusterHttp(Duration.ofSeconds(1),
                Optional.of(ClusterSecret.of("0123456789abcdef0123456789abcdef")), 1)) {
            withSecret.ask(server.host(), "HEAD", "/k", ANSWER).close();
        }

        assertTrue(server.heads.get(0).contains(ClusterSecret.HEADER + ": 0123456789abcdef0123456789abcdef\r\n"),
                server.heads.get(0));
    }

    @Test
    void aLargeBodyReadIntoADirectBufferIsTheBodyAndItsConnectionCarriesTheNextLargeRequest() throws IOException {
        String value = "0123456789abcdef".repeat(200_000); // 3.2 MB: many reads, most straight from the socket
        server.script = (request, connection) -> "HTTP/1.1 200 OK\r\nContent-Length: " + value.length() + "\r\n\r\n" + value;

        for (int i = 0; i < 2; i++) {
            assertEquals(value, readDirect(http.askForLargeBody(server.host(), "GET", "/k" + i, ANSWER)));
        }

        assertEquals(1, server.connections.get(), "each body's end was found: the connection was reused");
        http.ask(server.host(), "GET", "/small", ANSWER).close();
        assertEquals(2, server.connections.get(), "other requests have connections of their own");
    }

    @Test
    void aLargeBodyThatStallsTimesOutAndClosesItsConnection() {
        String half = "x".repeat(1 << 20);
        server.script = (request, connection) -> "HTTP/1.1 200 OK\r\nContent-Length: " + 2 * half.length()
                + "\r\n\r\n" + half; // and then nothing more, the connection left open

        IOException e = assertTimeoutPreemptively(PATIENCE, () -> assertThrows(IOException.class,
                () -> readDirect(http.askForLargeBody(server.host(), "GET", "/k", ANSWER))));

        assertInstanceOf(SocketTimeoutException.class, e, "a channel's read would have waited for ever");
        server.awaitClosed(1);
    }

    /** The body of {@code answer}, read through a direct buffer, as ISO-8859-1 text. */
    private static String readDirect(Answer answer) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (answer) {
            for (int n; (n = answer.read(buffer.clear())) >= 0; ) {
                byte[] bytes = new byte[n];
                buffer.flip().get(bytes);
                got.write(bytes);
            }
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }

    /** A script that reads each request and answers 201 once {@code release} opens. */
    private static Server.Script answersOnlyAfter(CountDownLatch release) {
        return (request, connection) -> {
            release.await();
            return CREATED;
        };
    }

    /**
     * An HTTP/1.1 server that reads each request whole (head and Content-Length or chunked
     * body) and answers what its script says; {@link #CLOSE} at the end of an answer closes the
     * connection after it.
     */
    private static final class Server implements AutoCloseable {
        static final String CLOSE = "\u0000close";

        interface Script {
            String answer(String request, int connection) throws Exception;
        }

        final ServerSocket socket;
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        final List<String> requests = new CopyOnWriteArrayList<>();
        final List<String> heads = new CopyOnWriteArrayList<>();
        final List<Socket> open = new CopyOnWriteArrayList<>();
        volatile Script script;

        Server() {
            try {
                socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            Thread acceptor = new Thread(this::accept, "scripted-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String host() {
            return "127.0.0.1:" + socket.getLocalPort();
        }

        void awaitClosed(int n) {
            assertTrue(Await.until(() -> closed.get() >= n, PATIENCE), "connections closed: " + closed.get());
        }

        void awaitRequests(int n) {
            assertTrue(Await.until(() -> requests.size() >= n, PATIENCE), "requests: " + requests);
        }

        private void accept() {
            try {
                while (true) {
                    Socket s = socket.accept();
                    open.add(s);
                    int number = connections.incrementAndGet();
                    Thread t = new Thread(() -> serve(s, number), "scripted-connection-" + number);
                    t.setDaemon(true);
                    t.start();
                }
            } catch (IOException e) {
                // closed by the test
            }
        }

        private void serve(Socket s, int connection) {
            try (s) {
                InputStream in = new BufferedInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                for (String head; (head = head(in)) != null; ) {
                    String[] line = head.split(" ", 3);
                    byte[] bytes = body(in, head);
                    if (bytes == null) {
                        return; // cut short: a request never had, as nginx drops it
                    }
                    String body = new String(bytes, StandardCharsets.UTF_8);
                    heads.add(head);
                    String request = line[0] + " " + line[1] + (body.isEmpty() ? "" : " " + body);
                    requests.add(request);
                    String answer = script.answer(request, connection);
                    boolean close = answer.endsWith(CLOSE);
                    out.write(answer.replace(CLOSE, "").getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    if (close) {
                        return;
                    }
                }
            } catch (Exception e) {
                // the client went away, or the test ended
            } finally {
                closed.incrementAndGet();
            }
        }

        /** The request head, or null if the client closed the connection first. */
        private static String head(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                head.write(b);
            }
            return head.toString(StandardCharsets.ISO_8859_1);
        }

        private static byte[] body(InputStream in, String head) throws IOException {
            String lower = head.toLowerCase();
            int at = lower.indexOf("content-length: ");
            if (at >= 0) {
                int end = lower.indexOf("\r\n", at);
                int length = Integer.parseInt(lower.substring(at + 16, end).trim());
                byte[] body = in.readNBytes(length);
                return body.length == length ? body : null;
            }
            if (!lower.contains("transfer-encoding: chunked")) {
                return new byte[0];
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (int size; (size = Integer.parseInt(Answer.line(in), 16)) > 0; ) {
                body.write(in.readNBytes(size));
                Answer.line(in);
            }
            Answer.line(in);
            return body.toByteArray();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
