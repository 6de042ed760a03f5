package minikv.http;

import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One request and its answer. Not thread-safe, except {@link #abort} and {@link #outcomeKnownNow}.
 *
 * <p>Once the last byte of a request that changes something may have gone out, the server may
 * act on it at any time, so a missing answer means its outcome is unknown, not that it failed:
 * {@link #answer} then throws {@link OutcomeUnknown} and keeps the connection open. The server
 * is done with the request only when it answers or closes that connection, which {@link
 * #outcomeKnownNow} watches for; a request sent after that is ordered after this one. A GET or
 * HEAD changes nothing, so its missing answer is a plain timeout and closes the connection.
 */
public final class Exchange {
    /** How often a thread waiting for an answer looks whether its exchange was aborted. */
    private static final long ABORT_POLL_MS = 100;

    private final ClusterHttp http;
    private final String host;
    private final String method;
    private final String path;
    private final byte[] heldBody;
    private final long length;
    private final Duration readTimeout;
    /** Its connection is one for large bodies (see {@link ClusterHttp#askForLargeBody}). */
    private final boolean largeBody;
    private final String[] headers;
    private final boolean changes;
    private volatile Connection connection;
    private volatile boolean aborted;
    /** Set just before the request's last bytes are written: from then on the server may act on it. */
    private volatile boolean mayHaveArrived;
    /** True while the last bytes are being written: an abort must then close to free the writer. */
    private volatile boolean writingLast;
    /** The connection was closed while the request may have arrived: nothing can tell its outcome now. */
    private volatile boolean lostTrack;
    /** The answer has given the connection back (to the pool, or closed it): no longer this exchange's. */
    private volatile boolean released;
    private OutputStream body;

    /** @param heldBody the whole body, which may be sent again; null when it streams, {@code length} bytes or chunked */
    Exchange(ClusterHttp http, String host, String method, String path, byte[] heldBody, long length,
             Duration readTimeout, boolean largeBody, String[] headers) {
        this.http = http;
        this.host = host;
        this.method = method;
        this.path = path;
        this.heldBody = heldBody;
        this.length = heldBody != null ? heldBody.length : length;
        this.readTimeout = readTimeout;
        this.largeBody = largeBody;
        this.headers = headers;
        this.changes = !method.equals("GET") && !method.equals("HEAD");
    }

    void begin(boolean pooled) throws IOException {
        connection = pooled ? http.pooledOrNew(host, largeBody) : http.connect(host, largeBody);
        try {
            if (heldBody != null) {
                writeLast(connection, true);
            } else {
                connection.out.write(head());
                body = length < 0 ? new ChunkedOutput(connection.out) : connection.out;
            }
        } catch (IOException e) {
            if (!resendable(e)) {
                abort();
                throw e;
            }
        }
    }

    /** Where a streamed body goes; {@link #endBody} or {@link #answer} ends it. */
    public OutputStream body() {
        return body;
    }

    /** Sends what is left of a streamed body, so that the server can answer. */
    public void endBody() throws IOException {
        if (heldBody == null && !mayHaveArrived) {
            writeLast(connection, false);
        }
    }

    /** Writes the rest of the request (all of it, for a held one) and flushes it. */
    private void writeLast(Connection c, boolean whole) throws IOException {
        mayHaveArrived = true;
        writingLast = true;
        try {
            if (aborted) {
                throw new IOException("the request to " + host + " was aborted");
            }
            if (whole) {
                c.out.write(head());
                c.out.write(heldBody);
            } else if (body instanceof ChunkedOutput chunked) {
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
     * Ends the body and waits for the answer's head. Its body is read from {@link Answer#body};
     * closing the answer gives the connection back to the pool when its framing allows.
     *
     * @throws OutcomeUnknown if the whole request, one that changes something, may have arrived
     *     but no answer came in time (or the exchange was aborted meanwhile); the server may
     *     still act on it
     */
    public Answer answer() throws IOException {
        try {
            endBody();
            awaitFirstByte();
            connection.socket.setSoTimeout((int) readTimeout.toMillis());
            Connection c = connection;
            return Answer.read(c.in, method.equals("HEAD"), reusable -> {
                released = true; // before the pool can hand it to another exchange
                if (reusable) {
                    http.release(host, c);
                } else {
                    c.close();
                }
            });
        } catch (IOException e) {
            if (resendable(e)) {
                return answer();
            }
            if (changes && mayHaveArrived && !connection.answering && (e instanceof SocketTimeoutException || aborted)) {
                // No answer, and the server has not closed the connection: it may still be working.
                if (aborted) {
                    lostTrack |= connection.socket.isClosed();
                }
                throw new OutcomeUnknown(method + " " + path + " on " + host, e);
            }
            aborted = true;
            connection.close();
            throw e;
        }
    }

    /** The answer's status, its body (an error page, say) read and dropped. */
    public int status() throws IOException {
        try (Answer answer = answer()) {
            return answer.status();
        }
    }

    /** Waits for an answer to begin, in short slices so that an {@link #abort} is seen at once. */
    private void awaitFirstByte() throws IOException {
        long deadline = System.nanoTime() + readTimeout.toNanos();
        while (true) {
            if (aborted) {
                throw new IOException("the request to " + host + " was aborted");
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
     * For an exchange whose outcome is unknown: true once the server has answered or closed
     * the connection (it is then done with the request, whatever it did), false while it may
     * still act on it. Never blocks for long; closes the connection once it is known.
     *
     * @throws IllegalStateException if the connection was closed before that could be seen
     *     ({@link #lostTrack}): then only the server's behaviour over time can tell
     */
    public boolean outcomeKnownNow() {
        Connection c = connection;
        if (lostTrack || c.socket.isClosed()) {
            lostTrack = true;
            throw new IllegalStateException("the connection to " + host + " was closed before its answer");
        }
        try {
            c.socket.setSoTimeout(1);
            c.peek();
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            // reset or closed by the server: done with it
        }
        c.close();
        return true;
    }

    /** True if the connection closed before the server could be seen to be done (see {@link #outcomeKnownNow}). */
    public boolean lostTrack() {
        return lostTrack || connection.socket.isClosed();
    }

    /**
     * After a failure on a pooled connection of a held request: sends it again on a new
     * connection, and says so. The server had not answered, so it had not acted on it either
     * (nginx stores a PUT body only once it has all of it).
     */
    private boolean resendable(IOException e) throws IOException {
        if (heldBody == null || !connection.reused || connection.answering || aborted
                || e instanceof SocketTimeoutException) {
            return false;
        }
        connection.close();
        connection = http.connect(host, largeBody);
        writeLast(connection, true);
        return true;
    }

    /**
     * Gives up on the exchange; a thread blocked on it wakes with an IOException. Safe from
     * any thread. The connection is closed, unless the whole request may have arrived and is
     * only waiting for its answer: it stays open so that {@link #outcomeKnownNow} can tell
     * when the server is done with it.
     */
    public void abort() {
        aborted = true;
        Connection c = connection;
        if (c == null || released) {
            return;
        }
        if (!mayHaveArrived || c.answering) {
            c.close();
        } else if (writingLast) {
            lostTrack = true; // the writer must be freed: closing loses sight of the outcome
            c.close();
        }
    }

    /** Drops the connection, whatever state the exchange is in, unless its answer gave it back. */
    public void close() {
        aborted = true;
        Connection c = connection;
        if (c != null && !released) {
            c.close();
        }
    }

    private byte[] head() {
        StringBuilder head = new StringBuilder(160)
                .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append("\r\n");
        if (length >= 0) {
            if (length > 0 || changes) {
                head.append("Content-Length: ").append(length).append("\r\n");
            }
        } else {
            head.append("Transfer-Encoding: chunked\r\n");
        }
        http.writeSecret(head);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        return head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
