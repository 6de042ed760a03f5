package minikv.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import minikv.http.ClusterHttp;
import minikv.ops.VolumeStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When a probe calls a volume down. The peer is a scripted HTTP server on loopback, because
 * the case that matters, a volume silent for one probe and fine for the next, is one that nginx
 * cannot be made to play on cue.
 */
class VolumeStatusProbeTest {

    private static final Duration TIMEOUT = Duration.ofMillis(300);

    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private ServerSocket server;

    @AfterEach
    void close() throws IOException {
        for (Socket s : held) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aVolumeSilentForOneProbeIsAskedAgainAndCountsAsUp() throws Exception {
        String volume = serve(1); // ignores the first connection, answers the next
        VolumeStats stats = new VolumeStats(List.of(volume));

        assertNull(new VolumeStatusProbe(new ClusterHttp(TIMEOUT, Optional.empty(), 4), TIMEOUT, stats).apply(volume));
        assertEquals(1, stats.probeErrors(volume), "the silent attempt is still counted");
    }

    @Test
    void aVolumeSilentTwiceInARowIsDown() throws Exception {
        String volume = serve(Integer.MAX_VALUE);
        VolumeStats stats = new VolumeStats(List.of(volume));

        long start = System.nanoTime();
        String reason = new VolumeStatusProbe(new ClusterHttp(TIMEOUT, Optional.empty(), 4), TIMEOUT, stats).apply(volume);
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertNotNull(reason);
        assertTrue(reason.contains("timed out"), reason);
        assertTrue(millis >= 2 * TIMEOUT.toMillis(), "down after " + millis + " ms");
        assertEquals(2, stats.probeErrors(volume));
    }

    @Test
    void aRefusedConnectionIsDownAtOnce() throws Exception {
        String volume;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            volume = "127.0.0.1:" + closed.getLocalPort();
        }
        VolumeStats stats = new VolumeStats(List.of(volume));

        String reason = new VolumeStatusProbe(new ClusterHttp(TIMEOUT, Optional.empty(), 4), TIMEOUT, stats).apply(volume);

        assertNotNull(reason);
        assertTrue(reason.contains("Connection refused"), reason);
        assertEquals(1, stats.probeErrors(volume));
    }

    /** A server that keeps its first {@code silent} connections open without a word, then answers 404. */
    private String serve(int silent) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        AtomicInteger accepted = new AtomicInteger();
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    Socket s = server.accept();
                    held.add(s);
                    if (accepted.getAndIncrement() >= silent) {
                        answer(s);
                    }
                }
            } catch (IOException closed) {
                // the test is over
            }
        }, "scripted-volume");
        t.setDaemon(true);
        t.start();
        return "127.0.0.1:" + server.getLocalPort();
    }

    private static void answer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        byte[] request = new byte[4096];
        int n = 0;
        while (n < 4 || !new String(request, 0, n, StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
            int r = in.read(request, n, request.length - n);
            if (r < 0) {
                return;
            }
            n += r;
        }
        OutputStream out = s.getOutputStream();
        out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }
}
