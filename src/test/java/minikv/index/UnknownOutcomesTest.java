package minikv.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import minikv.http.ClusterHttp;
import minikv.http.Exchange;
import minikv.http.OutcomeUnknown;
import minikv.placement.VolumeHealth;
import minikv.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When a request to a volume has an unknown outcome, and when that ends. The peer is a scripted
 * server on loopback that reads whole requests and answers, hangs up or stays silent on cue: a
 * hung nginx cannot be made to answer one connection at a chosen moment.
 */
class UnknownOutcomesTest {

    private static final Duration READ_TIMEOUT = Duration.ofMillis(300);
    private static final byte[] KEY = "/k".getBytes(StandardCharsets.UTF_8);
    private static final String CREATED = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";

    private ServerSocket server;
    private String volume;
    private final ClusterHttp http = new ClusterHttp(Duration.ofSeconds(1), Optional.empty(), 4);

    @BeforeEach
    void listen() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        volume = "127.0.0.1:" + server.getLocalPort();
    }

    @AfterEach
    void close() throws IOException {
        http.close();
        server.close();
    }

    @Test
    void aWholeRequestLeftUnansweredIsUnknownUntilTheVolumeAnswers() throws Exception {
        CompletableFuture<Socket> peer = acceptAndReadRequest();
        Exchange put = http.send(volume, "PUT", "/k", "value".getBytes(StandardCharsets.UTF_8), READ_TIMEOUT);

        assertThrows(OutcomeUnknown.class, put::status);
        UnknownOutcomes unknown = new UnknownOutcomes(upHealth());
        unknown.add(KEY, volume, put);
        unknown.check();
        assertNotNull(unknown.about(KEY), "no answer yet: the volume may still store it");

        Socket socket = peer.get(5, TimeUnit.SECONDS);
        socket.getOutputStream().write(CREATED.getBytes(StandardCharsets.US_ASCII));
        awaitKnown(unknown);
        assertEquals(0, unknown.count());
        socket.close();
    }

    @Test
    void aVolumeThatHangsUpHasFinishedWithTheRequest() throws Exception {
        CompletableFuture<Socket> peer = acceptAndReadRequest();
        Exchange delete = http.send(volume, "DELETE", "/k", new byte[0], READ_TIMEOUT);
        peer.get(5, TimeUnit.SECONDS).close();

        IOException failure = assertThrows(IOException.class, delete::status);
        assertFalse(failure instanceof OutcomeUnknown, "a closed connection carries nothing more: " + failure);
    }

    @Test
    void anAbortAfterTheWholeRequestKeepsTheConnectionToWatch() throws Exception {
        CompletableFuture<Socket> peer = acceptAndReadRequest();
        Exchange put = http.send(volume, "PUT", "/k", "value".getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(30));
        Socket socket = peer.get(5, TimeUnit.SECONDS);
        CompletableFuture<Integer> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return put.status();
            } catch (OutcomeUnknown e) {
                return -1;
            } catch (IOException e) {
                return -2;
            }
        });
        Thread.sleep(200);

        long start = System.nanoTime();
        put.abort();
        assertEquals(-1, answer.get(5, TimeUnit.SECONDS), "the waiting thread is freed, the outcome unknown");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "freed within a poll");
        assertFalse(put.lostTrack(), "the connection stays open to be watched");
        assertFalse(put.outcomeKnownNow());

        socket.close(); // the volume is done with it (a restart, say)
        UnknownOutcomes unknown = new UnknownOutcomes(upHealth());
        unknown.add(KEY, volume, put);
        awaitKnown(unknown);
    }

    @Test
    void anAbortBeforeTheLastByteClosesAndTheOutcomeIsKnown() throws Exception {
        CompletableFuture<Socket> peer = accept();
        Exchange put = http.stream(volume, "PUT", "/k", 10, READ_TIMEOUT);
        put.body().write(new byte[5]);
        put.body().flush();
        peer.get(5, TimeUnit.SECONDS);

        put.abort();

        IOException failure = assertThrows(IOException.class, put::status);
        assertFalse(failure instanceof OutcomeUnknown, "half a body can never be stored: " + failure);
    }

    /**
     * A thread stuck writing a request (the volume takes no more bytes) is freed by an abort,
     * and since its write failed, the request never reached its end: its outcome is known.
     */
    @Test
    void aWriterStuckOnAVolumeThatTakesNoMoreIsFreedAndNothingArrived() throws Exception {
        CompletableFuture<Socket> peer = accept(); // never reads: the write fills every buffer
        byte[] large = new byte[64 << 20];
        Exchange[] put = new Exchange[1];
        CompletableFuture<IOException> failure = new CompletableFuture<>();
        Thread writer = new Thread(() -> {
            try {
                put[0] = http.stream(volume, "PUT", "/k", large.length, READ_TIMEOUT);
                put[0].body().write(large, 0, large.length - 1);
                put[0].body().write(large, large.length - 1, 1);
                put[0].status();
                failure.complete(null);
            } catch (IOException e) {
                failure.complete(e);
            }
        });
        writer.start();
        Socket socket = peer.get(5, TimeUnit.SECONDS);
        Thread.sleep(300);
        assertTrue(writer.isAlive(), "the writer is stuck");

        put[0].abort();

        IOException e = failure.get(5, TimeUnit.SECONDS);
        assertNotNull(e, "the PUT cannot have succeeded");
        assertFalse(e instanceof OutcomeUnknown, "its last byte never went out: " + e);
        socket.close();
    }

    private static void awaitKnown(UnknownOutcomes unknown) {
        assertTrue(Await.until(() -> {
            unknown.check();
            return unknown.count() == 0;
        }, Duration.ofSeconds(5)), "still unknown");
        assertNull(unknown.about(KEY));
    }

    private static VolumeHealth upHealth() {
        return new VolumeHealth(List.of("127.0.0.1:1"), v -> null, Duration.ofHours(1));
    }

    private CompletableFuture<Socket> accept() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return server.accept();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Accepts one connection and reads a request head plus its Content-Length body. */
    private CompletableFuture<Socket> acceptAndReadRequest() {
        return accept().thenApply(socket -> {
            try {
                InputStream in = socket.getInputStream();
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                    head.append((char) in.read());
                }
                String text = head.toString();
                int at = text.indexOf("Content-Length: ");
                int length = Integer.parseInt(text.substring(at + 16, text.indexOf('\r', at)));
                in.readNBytes(length);
                return socket;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
