package minikv.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * A server's answer: its status and headers, and its body as a stream framed by its
 * Content-Length, its chunks or the connection's end. Once the body has been read to its end,
 * or the answer closed, the connection is handed back: to the pool if its framing and headers
 * allow another request on it, closed otherwise.
 */
public final class Answer implements AutoCloseable {

    /** At most this much of an unread body is read away on close to keep its connection; more closes it. */
    private static final long DRAIN_LIMIT = 64 * 1024;

    private final int status;
    private final List<String> headers;
    private final long contentLength;
    private final Body body;

    private Answer(int status, List<String> headers, long contentLength, Body body) {
        this.status = status;
        this.headers = headers;
        this.contentLength = contentLength;
        this.body = body;
    }

    /**
     * Reads an answer's status line and headers from {@code in}.
     *
     * @param toHead  the request was a HEAD: no body follows whatever the headers say
     * @param handBack told once, when the answer is done with the connection: true if it can
     *                carry another request, false if it must be closed
     */
    static Answer read(InputStream in, boolean toHead, Consumer<Boolean> handBack) throws IOException {
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
        List<String> headers = new ArrayList<>(16);
        int headBytes = statusLine.length();
        for (String header; !(header = line(in)).isEmpty(); ) {
            headBytes += header.length() + 2;
            if (headBytes > ClusterHttp.MAX_HEAD_BYTES) {
                throw new IOException("the answer's headers exceed " + ClusterHttp.MAX_HEAD_BYTES + " bytes");
            }
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim();
            String value = header.substring(colon + 1).trim();
            headers.add(name);
            headers.add(value);
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
        InputStream framed = noBody ? InputStream.nullInputStream()
                : chunked ? new ChunkedInput(in)
                : contentLength >= 0 ? new BoundedInput(in, contentLength)
                : in; // until the connection ends, which then cannot be used again
        Body body = new Body(framed, !close && (noBody || chunked || contentLength >= 0), handBack);
        if (noBody || !chunked && contentLength == 0) {
            body.end();
        }
        return new Answer(status, headers, contentLength, body);
    }

    public int status() {
        return status;
    }

    /** The first value of the header, by case-insensitive name, or null. */
    public String header(String name) {
        for (int i = 0; i < headers.size(); i += 2) {
            if (headers.get(i).equalsIgnoreCase(name)) {
                return headers.get(i + 1);
            }
        }
        return null;
    }

    /** The Content-Length the answer gave (for a HEAD too), or -1. */
    public long contentLength() {
        return contentLength;
    }

    /** The body: its end is the end of the stream. */
    public InputStream body() {
        return body;
    }

    /**
     * Reads the body's next bytes into {@code into}, at most its remaining; -1 at its end. On a
     * connection from {@link ClusterHttp#askForLargeBody}, a body goes from the socket straight
     * into a direct buffer, without the two copies a byte array costs (one in from the JDK's own
     * buffer, one back out to it).
     */
    public int read(ByteBuffer into) throws IOException {
        return body.read(into);
    }

    /** The body as UTF-8 text, at most {@code maxBytes} of it (an error message, say). */
    public String text(int maxBytes) throws IOException {
        return new String(body.readNBytes(maxBytes), StandardCharsets.UTF_8);
    }

    /** Reads away a short unread body, to keep the connection; closes it otherwise. */
    @Override
    public void close() throws IOException {
        body.close();
    }

    /** A framed body that hands its connection back once, at its end or on close. */
    private static final class Body extends FramedInput {
        private final InputStream in;
        private final boolean reusable;
        private final Consumer<Boolean> handBack;
        private boolean handedBack;

        Body(InputStream in, boolean reusable, Consumer<Boolean> handBack) {
            this.in = in;
            this.reusable = reusable;
            this.handBack = handBack;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            return read(ByteBuffer.wrap(buffer, offset, length));
        }

        @Override
        int read(ByteBuffer into) throws IOException {
            if (handedBack) {
                return -1;
            }
            try {
                int n = FramedInput.read(in, into);
                if (n < 0) {
                    end();
                }
                return n;
            } catch (IOException | RuntimeException e) {
                handBack(false);
                throw e;
            }
        }

        void end() {
            handBack(reusable);
        }

        @Override
        public void close() throws IOException {
            if (handedBack) {
                return;
            }
            if (!reusable) {
                handBack(false);
                return;
            }
            long drained = 0;
            byte[] buffer = new byte[8 * 1024];
            while (!handedBack) {
                if (drained > DRAIN_LIMIT) {
                    handBack(false);
                    return;
                }
                int n = read(buffer, 0, buffer.length);
                drained += Math.max(n, 0);
            }
        }

        private void handBack(boolean reuse) {
            if (!handedBack) {
                handedBack = true;
                handBack.accept(reuse);
            }
        }
    }

    /** The next {@code length} bytes of a stream; cut short is an IOException. */
    private static final class BoundedInput extends FramedInput {
        private final InputStream in;
        private long left;

        BoundedInput(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            return read(ByteBuffer.wrap(buffer, offset, length));
        }

        @Override
        int read(ByteBuffer into) throws IOException {
            if (left == 0) {
                return -1;
            }
            int limit = into.limit();
            into.limit(into.position() + (int) Math.min(into.remaining(), left));
            int n;
            try {
                n = FramedInput.read(in, into);
            } finally {
                into.limit(limit);
            }
            if (n < 0) {
                throw new IOException("the connection ended " + left + " bytes before the end of the answer");
            }
            left -= n;
            return n;
        }
    }

    /** One CRLF-terminated line, without its end; an IOException if the stream ends first. */
    static String line(InputStream in) throws IOException {
        byte[] line = new byte[128];
        int length = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the server closed the connection"
                        + (length == 0 ? " without answering" : " in the middle of its answer"));
            }
            if (b == '\n') {
                int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
                return new String(line, 0, end, StandardCharsets.ISO_8859_1);
            }
            if (length >= ClusterHttp.MAX_HEAD_BYTES) {
                throw new IOException("an answer line exceeds " + ClusterHttp.MAX_HEAD_BYTES + " bytes");
            }
            if (length == line.length) {
                line = Arrays.copyOf(line, length * 2);
            }
            line[length++] = (byte) b;
        }
    }

    private static String printable(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
