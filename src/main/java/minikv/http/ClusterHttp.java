package minikv.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import minikv.security.ClusterSecret;

/**
 * The one HTTP/1.1 client of the index and the tools, for every request they send: to volumes
 * (PUT, GET, HEAD, DELETE, MOVE, listings, probes) and to a running index. Written for what
 * nginx and the index answer, so that one thread can send a request to every replica and then
 * collect the answers, so that a request is never lost to a connection the server closed while
 * it sat in the pool, and so that a request whose answer is missing is known to be of unknown
 * outcome rather than failed (see {@link Exchange}).
 *
 * <p>It owns connection reuse (a pool per host, most recently used first, and one more for the
 * connections of {@link #askForLargeBody}), the deadlines, abort, the cluster secret (sent with
 * every request when there is one) and the resend rule: a request held whole that fails on a
 * pooled connection before any answer is sent once more on a new one. A streamed body cannot be
 * sent again, so it always gets a new connection.
 *
 * <p>Blocking, one thread per request in flight: the index's writes already run on its worker
 * threads, and the tools on their own pool.
 */
public final class ClusterHttp implements AutoCloseable {

    /** The longest status line and headers taken from a server. */
    public static final int MAX_HEAD_BYTES = 16 * 1024;
    /** Pooled connections older than this are closed rather than used (nginx keeps them 75 s). */
    private static final long MAX_IDLE_NANOS = Duration.ofSeconds(30).toNanos();
    private static final byte[] NO_BODY = {};

    private final int connectMillis;
    private final Optional<ClusterSecret> secret;
    private final int maxIdlePerHost;
    private final Map<String, ConcurrentLinkedDeque<Connection>> idle = new ConcurrentHashMap<>();
    private final Map<String, ConcurrentLinkedDeque<Connection>> idleForLargeBodies = new ConcurrentHashMap<>();

    /**
     * @param connectTimeout how long a server may take to accept a connection
     * @param secret         sent with every request: volumes started with {@code --secret-file}
     *                       take writes only with it (and with {@code --signed-reads}, reads too)
     * @param maxIdlePerHost how many idle connections to keep per host (more are closed)
     */
    public ClusterHttp(Duration connectTimeout, Optional<ClusterSecret> secret, int maxIdlePerHost) {
        this.connectMillis = (int) connectTimeout.toMillis();
        this.secret = secret;
        this.maxIdlePerHost = maxIdlePerHost;
    }

    /**
     * Sends a request whose body (possibly empty) is held whole, on a pooled connection if one
     * is idle; {@link Exchange#answer} then waits for its answer.
     *
     * @param host    {@code host:port}
     * @param headers more request headers, {@code name, value, name, value...} (a MOVE's Destination)
     */
    public Exchange send(String host, String method, String path, byte[] body, Duration readTimeout, String... headers)
            throws IOException {
        Exchange exchange = new Exchange(this, host, method, path, body, body.length, readTimeout, false, headers);
        exchange.begin(true);
        return exchange;
    }

    /**
     * Sends a request head on a new connection; the caller writes the body to {@link
     * Exchange#body}: {@code length} bytes, or chunked if {@code length} is -1.
     */
    public Exchange stream(String host, String method, String path, long length, Duration readTimeout, String... headers)
            throws IOException {
        Exchange exchange = new Exchange(this, host, method, path, null, length, readTimeout, false, headers);
        exchange.begin(false);
        return exchange;
    }

    /**
     * Sends a request without a body and returns its answer, for a caller that does not track
     * an outcome left unknown: on any failure the connection is closed.
     */
    public Answer ask(String host, String method, String path, Duration readTimeout, String... headers)
            throws IOException {
        return ask(new Exchange(this, host, method, path, NO_BODY, 0, readTimeout, false, headers));
    }

    /**
     * As {@link #ask}, on a connection whose answer's body {@link Answer#read(java.nio.ByteBuffer)}
     * reads straight into a direct buffer: for a body of a MiB or more.
     */
    public Answer askForLargeBody(String host, String method, String path, Duration readTimeout, String... headers)
            throws IOException {
        return ask(new Exchange(this, host, method, path, NO_BODY, 0, readTimeout, true, headers));
    }

    private static Answer ask(Exchange exchange) throws IOException {
        exchange.begin(true);
        try {
            return exchange.answer();
        } catch (IOException | RuntimeException e) {
            exchange.close();
            throw e;
        }
    }

    /** Closes the idle connections; exchanges in flight keep theirs. */
    @Override
    public void close() {
        for (var pools : List.of(idle, idleForLargeBodies)) {
            pools.values().forEach(pool -> {
                for (Connection c; (c = pool.poll()) != null; ) {
                    c.close();
                }
            });
        }
    }

    void writeSecret(StringBuilder head) {
        secret.ifPresent(s -> head.append(ClusterSecret.HEADER).append(": ").append(s.reveal()).append("\r\n"));
    }

    Connection pooledOrNew(String host, boolean largeBody) throws IOException {
        ConcurrentLinkedDeque<Connection> pool = (largeBody ? idleForLargeBodies : idle).get(host);
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
        return connect(host, largeBody);
    }

    /**
     * A new connection. One for large bodies is a channel's socket, which {@link Connection.Input}
     * reads into direct buffers; the others are plain sockets, because on JDK 17 a channel's socket
     * switches to non-blocking and back around every timed read: two more system calls per read.
     */
    Connection connect(String host, boolean largeBody) throws IOException {
        int colon = host.lastIndexOf(':');
        if (colon < 0) {
            throw new IOException("not host:port: " + host);
        }
        Socket socket = largeBody ? SocketChannel.open().socket() : new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host.substring(0, colon), Integer.parseInt(host.substring(colon + 1))),
                    connectMillis);
            return new Connection(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    void release(String host, Connection c) {
        var pools = c.socket.getChannel() != null ? idleForLargeBodies : idle;
        ConcurrentLinkedDeque<Connection> pool = pools.computeIfAbsent(host, v -> new ConcurrentLinkedDeque<>());
        if (pool.size() >= maxIdlePerHost) {
            c.close();
            return;
        }
        c.idleSince = System.nanoTime();
        pool.addFirst(c); // most recently used first: the others age out
    }

    /** How many idle connections are pooled for {@code host}: for tests. */
    int idleCount(String host) {
        ConcurrentLinkedDeque<Connection> pool = idle.get(host);
        return pool == null ? 0 : pool.size();
    }
}
