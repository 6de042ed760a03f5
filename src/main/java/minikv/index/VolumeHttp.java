package minikv.index;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import minikv.security.ClusterSecret;

/**
 * The index's HTTP/1.1 client for the requests that change volumes (PUT, DELETE and MOVE of
 * replicas): just what nginx's WebDAV answers need, so that one thread can send a request to
 * every replica and then collect the answers, and so that a request is never lost to a
 * connection the volume closed while it sat in the pool.
 *
 * <p>Each {@link Exchange} is sent by {@link #send} (a body held whole, which may be sent
 * again) or {@link #stream} (a body streamed by the caller); {@link Exchange#answer} then waits
 * for the status. A held request that fails on a pooled connection before any answer is sent
 * once more on a new one: the volume may have closed that connection (after a restart, say).
 * A streamed body cannot be sent again, so it always gets a new connection. Answers with a
 * Content-Length body are read to the end and their connection pooled; any other framing
 * closes the connection (the index needs only the status).
 */
final class VolumeHttp implements AutoCloseable {

    /** The longest status line and headers taken from a volume. */
    static final int MAX_HEAD_BYTES = 16 * 1024;
    /** Pooled connections older than this are closed rather than used (nginx keeps them 75 s). */
    private static final long MAX_IDLE_NANOS = Duration.ofSeconds(30).toNanos();
    private static final int MAX_IDLE_PER_VOLUME = IndexServer.WORKER_THREADS;
    /** How often a thread waiting for an answer looks whether its exchange was aborted. */
    private static final long ABORT_POLL_MS = 100;
    private static final String[] NO_HEADERS = {};

    private final int connectMillis;
    private final Optional<ClusterSecret> secret;
    private final Map<String, ConcurrentLinkedDeque<VolumeConnection>> idle = new ConcurrentHashMap<>();

    VolumeHttp(Duration connectTimeout, Optional<ClusterSecret> secret) {
        this.connectMillis = (int) connectTimeout.toMillis();
        this.secret = secret;
    }

    /** Sends a request whose body (possibly empty) is held whole, on a pooled connection if one is idle. */
    Exchange send(String volume, String method, String path, byte[] body, Duration readTimeout) throws IOException {
        return send(volume, method, path, body, readTimeout, NO_HEADERS);
    }

    /** The same, with more request headers ({@code name, value, name, value...}), e.g. a MOVE's Destination. */
    Exchange send(String volume, String method, String path, byte[] body, Duration readTimeout, String... headers)
            throws IOException {
        Exchange exchange = new Exchange(volume, method, path, body, body.length, readTimeout, headers);
        exchange.begin(true);
        return exchange;
    }

    /**
     * Sends a request head on a new connection; the caller writes the body to {@link
     * Exchange#body}: {@code length} bytes, or chunked if {@code length} is -1.
     */
    Exchange stream(String volume, String method, String path, long length, Duration readTimeout) throws IOException {
        Exchange exchange = new Exchange(volume, method, path, null, length, readTimeout, NO_HEADERS);
        exchange.begin(false);
        return exchange;
    }

    /** Closes the idle connections; exchanges in flight keep theirs. */
    @Override
    public void close() {
        idle.values().forEach(pool -> {
            for (VolumeConnection c; (c = pool.poll()) != null; ) {
                c.close();
            }
        });
    }

    /**
     * One request and its answer. Not thread-safe, except {@link #abort} and {@link #outcomeKnownNow}.
     *
     * <p>Once the last byte of a request may have gone out, the volume may act on it at any time,
     * so a missing answer means its outcome is unknown, not that it failed: {@link #answer} then
     * throws {@link OutcomeUnknown} and keeps the connection open. The volume is done with the
     * request only when it answers or closes that connection, which {@link #outcomeKnownNow}
     * watches for; a request sent after that is ordered after this one.
     */
    final class Exchange {
        private final String volume;
        private final String method;
        private final String path;
        private final byte[] heldBody;
        private final long length;
        private final Duration readTimeout;
        private final String[] headers;
        private volatile VolumeConnection connection;
        private volatile boolean aborted;
        /** Set just before the request's last bytes are written: from then on the volume may act on it. */
        private volatile boolean mayHaveArrived;
        /** True while the last bytes are being written: an abort must then close to free the writer. */
        private volatile boolean writingLast;
        /** The connection was closed while the request may have arrived: nothing can tell its outcome now. */
        private volatile boolean lostTrack;
        private volatile boolean answered;
        private OutputStream body;

        /** @param heldBody the whole body, which may be sent again; null when it streams, {@code length} bytes or chunked */
        private Exchange(String volume, String method, String path, byte[] heldBody, long length, Duration readTimeout,
                         String[] headers) {
            this.volume = volume;
            this.method = method;
            this.path = path;
            this.heldBody = heldBody;
            this.length = heldBody != null ? heldBody.length : length;
            this.readTimeout = readTimeout;
            this.headers = headers;
        }

        private void begin(boolean pooled) throws IOException {
            connection = pooled ? pooledOrNew(volume) : connect(volume);
            try {
                if (heldBody != null) {
                    writeLast(connection, true);
                } else {
                    connection.out.write(head());
                    body = length < 0 ? new VolumeConnection.ChunkedBody(connection.out) : connection.out;
                }
            } catch (IOException e) {
                if (!resendable(e)) {
                    abort();
                    throw e;
                }
            }
        }

        /** Where a streamed body goes; {@link #endBody} or {@link #answer} ends it. */
        OutputStream body() {
            return body;
        }

        /** Sends what is left of a streamed body, so that the volume can answer. */
        void endBody() throws IOException {
            if (heldBody == null && !mayHaveArrived) {
                writeLast(connection, false);
            }
        }

        /** Writes the rest of the request (all of it, for a held one) and flushes it. */
        private void writeLast(VolumeConnection c, boolean whole) throws IOException {
            mayHaveArrived = true;
            writingLast = true;
            try {
                if (aborted) {
                    throw new IOException("the request to " + volume + " was aborted");
                }
                if (whole) {
                    c.out.write(head());
                    c.out.write(heldBody);
                } else if (body instanceof VolumeConnection.ChunkedBody chunked) {
                    chunked.end();
                }
                c.out.flush();
            } catch (IOException e) {
                mayHaveArrived = false; // a write that fails leaves the request short of its end
                throw e;
            } finally {
                writingLast = false;
            }
        }

        /**
         * Ends the body, waits for the volume's answer and returns its status. The connection
         * goes back to the pool when the answer allows it.
         *
         * @throws OutcomeUnknown if the whole request may have arrived but no answer came in time
         *     (or the exchange was aborted meanwhile); the volume may still act on it
         */
        int answer() throws IOException {
            try {
                endBody();
                awaitFirstByte();
                connection.socket.setSoTimeout((int) readTimeout.toMillis());
                VolumeAnswer answer = VolumeAnswer.read(connection.in, method.equals("HEAD"));
                answered = true; // the connection is no longer this exchange's to close
                if (answer.reusable()) {
                    release(volume, connection);
                } else {
                    connection.close();
                }
                return answer.status();
            } catch (IOException e) {
                if (resendable(e)) {
                    return answer();
                }
                if (mayHaveArrived && !connection.answering && (e instanceof SocketTimeoutException || aborted)) {
                    // No answer, and the volume has not closed the connection: it may still be working.
                    if (aborted) {
                        lostTrack |= connection.socket.isClosed();
                    }
                    throw new OutcomeUnknown(method + " " + path + " on " + volume, e);
                }
                aborted = true;
                connection.close();
                throw e;
            }
        }

        /** Waits for an answer to begin, in short slices so that an {@link #abort} is seen at once. */
        private void awaitFirstByte() throws IOException {
            long deadline = System.nanoTime() + readTimeout.toNanos();
            while (true) {
                if (aborted) {
                    throw new IOException("the request to " + volume + " was aborted");
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new SocketTimeoutException("Read timed out");
                }
                connection.socket.setSoTimeout((int) Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), ABORT_POLL_MS)));
                try {
                    connection.peek();
                    return;
                } catch (SocketTimeoutException e) {
                    // look at the deadline and the abort flag again
                }
            }
        }

        /**
         * For an exchange whose outcome is unknown: true once the volume has answered or closed
         * the connection (it is then done with the request, whatever it did), false while it may
         * still act on it. Never blocks for long; closes the connection once it is known.
         *
         * @throws IllegalStateException if the connection was closed before that could be seen
         *     ({@link #lostTrack}): then only the volume's behaviour over time can tell
         */
        boolean outcomeKnownNow() {
            VolumeConnection c = connection;
            if (lostTrack || c.socket.isClosed()) {
                lostTrack = true;
                throw new IllegalStateException("the connection to " + volume + " was closed before its answer");
            }
            try {
                c.socket.setSoTimeout(1);
                c.peek();
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                // reset or closed by the volume: done with it
            }
            c.close();
            return true;
        }

        /** True if the connection closed before the volume could be seen to be done (see {@link #outcomeKnownNow}). */
        boolean lostTrack() {
            return lostTrack || connection.socket.isClosed();
        }

        /**
         * After a failure on a pooled connection of a held request: sends it again on a new
         * connection, and says so. The volume had not answered, so it had not acted on it
         * either (nginx stores a PUT body only once it has all of it).
         */
        private boolean resendable(IOException e) throws IOException {
            if (heldBody == null || !connection.reused || connection.answering || aborted
                    || e instanceof SocketTimeoutException) {
                return false;
            }
            connection.close();
            connection = connect(volume);
            writeLast(connection, true);
            return true;
        }

        /**
         * Gives up on the exchange; a thread blocked on it wakes with an IOException. Safe from
         * any thread. The connection is closed, unless the whole request may have arrived and is
         * only waiting for its answer: it stays open so that {@link #outcomeKnownNow} can tell
         * when the volume is done with it.
         */
        void abort() {
            aborted = true;
            VolumeConnection c = connection;
            if (c == null || answered) {
                return;
            }
            if (!mayHaveArrived || c.answering) {
                c.close();
            } else if (writingLast) {
                lostTrack = true; // the writer must be freed: closing loses sight of the outcome
                c.close();
            }
        }

        private byte[] head() {
            StringBuilder head = new StringBuilder(160)
                    .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(volume).append("\r\n");
            if (length >= 0) {
                head.append("Content-Length: ").append(length).append("\r\n");
            } else {
                head.append("Transfer-Encoding: chunked\r\n");
            }
            secret.ifPresent(s -> head.append(ClusterSecret.HEADER).append(": ").append(s.reveal()).append("\r\n"));
            for (int i = 0; i + 1 < headers.length; i += 2) {
                head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
            return head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * The whole request may have reached the volume, but no answer came: whether the volume
     * acted on it, or still will, is unknown. The exchange's connection stays open.
     */
    static final class OutcomeUnknown extends IOException {
        OutcomeUnknown(String request, IOException cause) {
            super("no answer to " + request + " after it was sent whole (" + cause.getMessage()
                    + "): its outcome is unknown", cause);
        }
    }

    private VolumeConnection pooledOrNew(String volume) throws IOException {
        ConcurrentLinkedDeque<VolumeConnection> pool = idle.get(volume);
        if (pool != null) {
            long now = System.nanoTime();
            for (VolumeConnection c; (c = pool.pollFirst()) != null; ) {
                if (now - c.idleSince < MAX_IDLE_NANOS && !c.socket.isClosed()) {
                    c.reused = true;
                    c.answering = false;
                    return c;
                }
                c.close();
            }
        }
        return connect(volume);
    }

    private VolumeConnection connect(String volume) throws IOException {
        int colon = volume.lastIndexOf(':');
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(volume.substring(0, colon), Integer.parseInt(volume.substring(colon + 1))),
                    connectMillis);
            return new VolumeConnection(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void release(String volume, VolumeConnection c) {
        ConcurrentLinkedDeque<VolumeConnection> pool = idle.computeIfAbsent(volume, v -> new ConcurrentLinkedDeque<>());
        if (pool.size() >= MAX_IDLE_PER_VOLUME) {
            c.close();
            return;
        }
        c.idleSince = System.nanoTime();
        pool.addFirst(c); // most recently used first: the others age out
    }
}
