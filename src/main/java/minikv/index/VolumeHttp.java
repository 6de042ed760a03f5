package minikv.index;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
import minikv.security.ClusterSecret;

/**
 * The index's HTTP/1.1 client for the requests that change volumes (PUT and DELETE of
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
    private static final byte[] CHUNKED_END = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final int connectMillis;
    private final Optional<ClusterSecret> secret;
    private final Map<String, ConcurrentLinkedDeque<Connection>> idle = new ConcurrentHashMap<>();

    VolumeHttp(Duration connectTimeout, Optional<ClusterSecret> secret) {
        this.connectMillis = (int) connectTimeout.toMillis();
        this.secret = secret;
    }

    /** Sends a request whose body (possibly empty) is held whole, on a pooled connection if one is idle. */
    Exchange send(String volume, String method, String path, byte[] body, Duration readTimeout) throws IOException {
        Exchange exchange = new Exchange(volume, method, path, body, body.length, readTimeout);
        exchange.begin(true);
        return exchange;
    }

    /**
     * Sends a request head on a new connection; the caller writes the body to {@link
     * Exchange#body}: {@code length} bytes, or chunked if {@code length} is -1.
     */
    Exchange stream(String volume, String method, String path, long length, Duration readTimeout) throws IOException {
        Exchange exchange = new Exchange(volume, method, path, null, length, readTimeout);
        exchange.begin(false);
        return exchange;
    }

    /** Closes the idle connections; exchanges in flight keep theirs. */
    @Override
    public void close() {
        idle.values().forEach(pool -> {
            for (Connection c; (c = pool.poll()) != null; ) {
                c.close();
            }
        });
    }

    /** One request and its answer. Not thread-safe, except {@link #abort}. */
    final class Exchange {
        private final String volume;
        private final String method;
        private final String path;
        private final byte[] heldBody;
        private final long length;
        private final Duration readTimeout;
        private volatile Connection connection;
        private volatile boolean aborted;
        private OutputStream body;

        /** @param heldBody the whole body, which may be sent again; null when it streams, {@code length} bytes or chunked */
        private Exchange(String volume, String method, String path, byte[] heldBody, long length, Duration readTimeout) {
            this.volume = volume;
            this.method = method;
            this.path = path;
            this.heldBody = heldBody;
            this.length = heldBody != null ? heldBody.length : length;
            this.readTimeout = readTimeout;
        }

        private void begin(boolean pooled) throws IOException {
            connection = pooled ? pooledOrNew(volume) : connect(volume);
            try {
                connection.out.write(head());
                if (heldBody != null) {
                    connection.out.write(heldBody);
                    connection.out.flush();
                } else {
                    body = length < 0 ? new ChunkedBody(connection.out) : connection.out;
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
            if (body instanceof ChunkedBody chunked && !chunked.ended) {
                chunked.end();
            }
            connection.out.flush();
        }

        /**
         * Ends the body, waits for the volume's answer and returns its status. The connection
         * goes back to the pool when the answer allows it.
         */
        int answer() throws IOException {
            try {
                endBody();
                connection.socket.setSoTimeout((int) readTimeout.toMillis());
                Answer answer = Answer.read(connection.in, method.equals("HEAD"));
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
                abort();
                throw e;
            }
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
            if (aborted) {
                connection.close();
                throw new IOException("the request to " + volume + " was aborted");
            }
            connection.out.write(head());
            connection.out.write(heldBody);
            connection.out.flush();
            return true;
        }

        /** Closes the connection: a thread blocked on it wakes with an IOException. Safe from any thread. */
        void abort() {
            aborted = true;
            Connection c = connection;
            if (c != null) {
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
            return head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    private Connection pooledOrNew(String volume) throws IOException {
        ConcurrentLinkedDeque<Connection> pool = idle.get(volume);
        if (pool != null) {
            long now = System.nanoTime();
            for (Connection c; (c = pool.pollFirst()) != null; ) {
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

    private Connection connect(String volume) throws IOException {
        int colon = volume.lastIndexOf(':');
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(volume.substring(0, colon), Integer.parseInt(volume.substring(colon + 1))),
                    connectMillis);
            return new Connection(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void release(String volume, Connection c) {
        ConcurrentLinkedDeque<Connection> pool = idle.computeIfAbsent(volume, v -> new ConcurrentLinkedDeque<>());
        if (pool.size() >= MAX_IDLE_PER_VOLUME) {
            c.close();
            return;
        }
        c.idleSince = System.nanoTime();
        pool.addFirst(c); // most recently used first: the others age out
    }

    private static final class Connection {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        boolean reused;
        /** Set once the first byte of an answer arrived: from then on a failure is no stale connection. */
        boolean answering;
        long idleSince;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new AnswerStream(new BufferedInputStream(socket.getInputStream(), 8 * 1024), this);
            this.out = new BufferedOutputStream(socket.getOutputStream(), 8 * 1024);
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing is all that was asked
            }
        }
    }

    /** Notes on its connection that an answer has begun to arrive. */
    private static final class AnswerStream extends InputStream {
        private final InputStream in;
        private final Connection connection;

        AnswerStream(InputStream in, Connection connection) {
            this.in = in;
            this.connection = connection;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            connection.answering |= b >= 0;
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            connection.answering |= n > 0;
            return n;
        }
    }

    /** A body of unknown length, sent as HTTP/1.1 chunks. */
    private static final class ChunkedBody extends OutputStream {
        private final OutputStream out;
        private boolean ended;

        ChunkedBody(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            if (length > 0) {
                out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(buffer, offset, length);
                out.write('\r');
                out.write('\n');
            }
        }

        void end() throws IOException {
            ended = true;
            out.write(CHUNKED_END);
        }
    }

    /**
     * A volume's answer: its status, and whether its connection can carry another request. Pure
     * parsing, apart from reading: the body, when its length is known, is read and dropped.
     */
    record Answer(int status, boolean reusable) {

        static Answer read(InputStream in, boolean toHead) throws IOException {
            String statusLine = line(in);
            if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
                throw new IOException("not an HTTP answer: " + printable(statusLine));
            }
            int status;
            try {
                status = Integer.parseInt(statusLine.substring(9, 12));
            } catch (NumberFormatException e) {
                throw new IOException("no status in: " + printable(statusLine));
            }
            long contentLength = -1;
            boolean close = statusLine.startsWith("HTTP/1.0");
            boolean chunked = false;
            int headBytes = statusLine.length();
            for (String header; !(header = line(in)).isEmpty(); ) {
                headBytes += header.length() + 2;
                if (headBytes > MAX_HEAD_BYTES) {
                    throw new IOException("the answer's headers exceed " + MAX_HEAD_BYTES + " bytes");
                }
                int colon = header.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = header.substring(0, colon).trim();
                String value = header.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    try {
                        contentLength = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new IOException("bad Content-Length: " + printable(value));
                    }
                } else if (name.equalsIgnoreCase("Connection")) {
                    close |= value.equalsIgnoreCase("close");
                } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                    chunked = true;
                }
            }
            boolean noBody = toHead || status == 204 || status == 304 || status / 100 == 1;
            if (noBody) {
                return new Answer(status, !close);
            }
            if (chunked || contentLength < 0) {
                return new Answer(status, false); // framed in a way not worth reading: just close it
            }
            in.skipNBytes(contentLength);
            return new Answer(status, !close);
        }

        /** One CRLF-terminated line, without its end; an IOException if the stream ends first. */
        private static String line(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder(64);
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("the volume closed the connection"
                            + (line.isEmpty() ? " without answering" : " in the middle of its answer"));
                }
                if (b == '\n') {
                    int end = line.length();
                    return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
                }
                if (line.length() >= MAX_HEAD_BYTES) {
                    throw new IOException("an answer line exceeds " + MAX_HEAD_BYTES + " bytes");
                }
                line.append((char) b);
            }
        }

        private static String printable(String s) {
            return s.length() > 80 ? s.substring(0, 80) + "..." : s;
        }
    }
}
