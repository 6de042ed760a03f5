package minikv.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A hand-driven HTTP/1.1 connection, for what well-behaved clients never do: send half a body
 * and stop, send garbage, or hang up mid-upload. Answers are read as raw text.
 */
public final class RawHttp implements AutoCloseable {

    private final Socket socket;

    private RawHttp(Socket socket) {
        this.socket = socket;
    }

    /** Connects to the host and port of {@code url}, e.g. {@code cluster.url("/")}. */
    public static RawHttp connect(String url) {
        URI uri = URI.create(url);
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
            return new RawHttp(socket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to " + url, e);
        }
    }

    /**
     * The request line and headers of a PUT whose body is {@code contentLength} bytes long; the
     * server closes the connection once it has answered.
     */
    public static String putHead(String path, long contentLength) {
        return "PUT " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: " + contentLength
                + "\r\n\r\n";
    }

    public RawHttp send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttp send(byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Tells the server nothing more is coming (a half-close); its answer can still be read. */
    public RawHttp endOfInput() {
        try {
            socket.shutdownOutput();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Everything the server sends until it closes the connection or {@code timeout} passes
     * without a byte, as ISO-8859-1 text; "" if it closed (or reset) without a word.
     */
    public String readUntilClosed(Duration timeout) {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try {
            socket.setSoTimeout((int) timeout.toMillis());
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                received.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new IllegalStateException("the server kept the connection open for " + timeout.toMillis()
                    + " ms without sending anything more; so far: " + received.toString(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            // reset by the server: what came before is the answer
        }
        return received.toString(StandardCharsets.ISO_8859_1);
    }

    /** The status line of the answer, e.g. "HTTP/1.1 400 Bad Request", without reading further. */
    public String statusLine(Duration timeout) {
        StringBuilder line = new StringBuilder();
        try {
            socket.setSoTimeout((int) timeout.toMillis());
            InputStream in = socket.getInputStream();
            for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("no status line; so far: " + line, e);
        }
    }

    /** Hangs up at once, mid-request if it was. */
    @Override
    public void close() {
        try {
            socket.setSoLinger(true, 0); // a reset, as a crashed client leaves
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
