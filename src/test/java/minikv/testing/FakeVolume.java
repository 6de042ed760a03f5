package minikv.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A volume in the test's own process: WebDAV's PUT, GET, HEAD, DELETE and MOVE over HTTP/1.1 on
 * loopback, the files in a map, and faults on cue: a method refused with a status, or the whole
 * volume hung (connections accepted and requests read, nothing done or answered until
 * {@link #resume}). For unit tests of the index's write path that need what nginx cannot be
 * made to do at a chosen moment; the ITs use real nginx.
 *
 * <p>A hung volume resumes newest first: the request that arrived last is carried out first,
 * and each waits for the one after it. That is the order that hurts (a rollback's DELETE
 * overtaking the PUT it undoes), which a real volume whose workers resume one by one can take.
 */
public final class FakeVolume implements AutoCloseable {

    private final ServerSocket server;
    private final Thread acceptor;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    /** Every body a PUT stored, by path, in order. */
    private final Map<String, List<byte[]>> stored = new ConcurrentHashMap<>();
    private final Map<String, Integer> refusals = new ConcurrentHashMap<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean hung;
    /** While hung, the requests waiting, oldest first, each released by its own latch. */
    private final List<CountDownLatch> waiting = new ArrayList<>();
    private final List<String> waitingMethods = new ArrayList<>();
    private volatile int requests;

    private FakeVolume() throws IOException {
        server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "fake-volume-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static FakeVolume start() throws IOException {
        return new FakeVolume();
    }

    /** {@code count} volumes, each started. */
    public static List<FakeVolume> start(int count) throws IOException {
        List<FakeVolume> volumes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            volumes.add(start());
        }
        return volumes;
    }

    /** Closes each of {@code volumes}. */
    public static void closeAll(List<FakeVolume> volumes) throws IOException {
        for (FakeVolume v : volumes) {
            v.close();
        }
    }

    /** {@code host:port}, as the index names volumes. */
    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** The files by URL path, in order. */
    public Map<String, byte[]> files() {
        return new TreeMap<>(files);
    }

    /** Every body PUT stored at {@code path}, first to last (not what {@link #place} put there). */
    public List<byte[]> stored(String path) {
        return List.copyOf(stored.getOrDefault(path, List.of()));
    }

    /** Puts a file in place, as an earlier write would have. */
    public void place(String path, byte[] content) {
        files.put(path, content.clone());
    }

    /** Answers {@code status} to every {@code method}, doing nothing; 0 to act normally again. */
    public void refuse(String method, int status) {
        if (status == 0) {
            refusals.remove(method);
        } else {
            refusals.put(method, status);
        }
    }

    /** From now on requests are read but neither carried out nor answered, as by a SIGSTOPped nginx. */
    public synchronized void hang() {
        hung = true;
    }

    /**
     * While hung: the requests held so far stay held, as by a worker stalled on its disk, and
     * new ones are carried out at once, as by another worker; {@link #resume} releases the held ones.
     */
    public synchronized void serveNewRequests() {
        hung = false;
    }

    /** Carries out and answers whatever waited, newest first, and everything after. */
    public void resume() {
        List<CountDownLatch> released;
        synchronized (this) {
            hung = false;
            released = new ArrayList<>(waiting);
            waiting.clear();
            waitingMethods.clear();
        }
        for (int i = released.size() - 1; i >= 0; i--) {
            CountDownLatch turn = released.get(i);
            turn.countDown();
            awaitDone(turn);
        }
    }

    /** True once a {@code method} request is held by the hung volume; false if none comes within {@code patience}. */
    public boolean awaitHeld(String method, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (this) {
                if (waitingMethods.contains(method)) {
                    return true;
                }
            }
            Thread.sleep(1);
        }
        return false;
    }

    /** Blocks the request while the volume is hung; returns the latch it waited on, or null. */
    private CountDownLatch awaitTurn(String method) throws InterruptedException {
        CountDownLatch turn;
        synchronized (this) {
            if (!hung) {
                return null;
            }
            turn = new CountDownLatch(2); // counted down by resume, then by the request once answered
            waiting.add(turn);
            waitingMethods.add(method);
        }
        while (turn.getCount() == 2) {
            Thread.sleep(1);
        }
        return turn;
    }

    private static void awaitDone(CountDownLatch turn) {
        try {
            turn.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How many requests have been carried out. */
    public int requests() {
        return requests;
    }

    /**
     * Stops listening, and returns only once the port refuses connections. A thread blocked in
     * accept() keeps the listening socket alive until it returns, so a connection made just
     * after server.close() could still be accepted, and served: a volume "down" answered.
     */
    @Override
    public void close() throws IOException {
        resume();
        server.close();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Socket s : open) {
            s.close();
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                if (server.isClosed()) {
                    socket.close(); // made as the server closed
                    return;
                }
                open.add(socket);
                Thread t = new Thread(() -> serve(socket), "fake-volume-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            for (String line; (line = line(in)) != null && !line.isEmpty(); ) {
                String[] request = line.split(" ");
                Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                for (String h; !(h = line(in)).isEmpty(); ) {
                    int colon = h.indexOf(':');
                    headers.put(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
                }
                byte[] body = body(in, headers);
                CountDownLatch turn = awaitTurn(request[0]);
                try {
                    out.write(answer(request[0], request[1], headers, body));
                    out.flush();
                } finally {
                    if (turn != null) {
                        turn.countDown();
                    }
                }
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // the index closed the connection, or the test closed the volume
        } finally {
            open.remove(socket);
        }
    }

    private synchronized byte[] answer(String method, String path, Map<String, String> headers, byte[] body) {
        requests++;
        Integer refused = refusals.get(method);
        if (refused != null) {
            return status(refused, new byte[0]);
        }
        return switch (method) {
            case "PUT" -> {
                files.put(path, body);
                stored.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>()).add(body);
                yield status(201, new byte[0]);
            }
            case "GET", "HEAD" -> {
                byte[] file = files.get(path);
                if (file == null) {
                    yield status(404, new byte[0]);
                }
                yield method.equals("GET") ? status(200, file) : head(200, file.length); // as nginx: the file's length
            }
            case "DELETE" -> status(files.remove(path) == null ? 404 : 204, new byte[0]);
            case "MOVE" -> {
                byte[] file = files.remove(path);
                if (file != null) {
                    files.put(headers.get("Destination"), file);
                }
                yield status(file == null ? 404 : 201, new byte[0]);
            }
            default -> status(405, new byte[0]);
        };
    }

    private static byte[] head(int code, long length) {
        return ("HTTP/1.1 " + code + " Fake\r\nContent-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] status(int code, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("HTTP/1.1 " + code + " Fake\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static byte[] body(InputStream in, Map<String, String> headers) throws IOException {
        if ("chunked".equalsIgnoreCase(headers.get("Transfer-Encoding"))) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (int size; (size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) > 0; ) {
                body.writeBytes(in.readNBytes(size));
                line(in);
            }
            line(in);
            return body.toByteArray();
        }
        String length = headers.get("Content-Length");
        byte[] body = length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length));
        if (length != null && body.length < Integer.parseInt(length)) {
            throw new IOException("body cut short"); // as nginx: nothing is stored
        }
        return body;
    }

    /** One CRLF-terminated line without its end; null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                if (line.isEmpty()) {
                    return null;
                }
                throw new IOException("cut short");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}
