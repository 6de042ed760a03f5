package minikv.http;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** One connection to a server: its socket and buffered streams, and whether an answer has begun on it. */
final class Connection {
    final Socket socket;
    final Input in;
    final OutputStream out;
    boolean reused;
    /** Set once the first byte of an answer arrived: from then on a failure is no stale connection. */
    volatile boolean answering;
    long idleSince;

    Connection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new Input(socket.getInputStream(), this);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 8 * 1024);
    }

    /**
     * Waits, within the socket's timeout, until an answer's first byte or the end of the
     * stream is there, without taking it.
     */
    void peek() throws IOException {
        in.peek();
    }

    void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing is all that was asked
        }
    }

    /**
     * The socket's bytes through one buffer. Unlike BufferedInputStream it takes no lock per
     * byte (one thread reads a connection at a time), and it notes that an answer has begun once
     * per read from the socket rather than per byte: an answer's head is read a byte at a time,
     * and those per-byte costs were a tenth of {@code verify --fast}'s CPU.
     */
    static final class Input extends InputStream {
        private final InputStream socket;
        private final Connection connection;
        private final byte[] buffer = new byte[8 * 1024];
        private int position;
        private int limit;

        Input(InputStream socket, Connection connection) {
            this.socket = socket;
            this.connection = connection;
        }

        @Override
        public int read() throws IOException {
            if (position == limit && !fill()) {
                return -1;
            }
            return buffer[position++] & 0xff;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (position == limit) {
                if (length >= buffer.length) { // nothing buffered: straight into the caller's array
                    int n = socket.read(into, offset, length);
                    connection.answering |= n > 0;
                    return n;
                }
                if (!fill()) {
                    return -1;
                }
            }
            int n = Math.min(length, limit - position);
            System.arraycopy(buffer, position, into, offset, n);
            position += n;
            return n;
        }

        /**
         * Reads into {@code into}. A direct buffer is filled by the socket's channel, which skips
         * the JDK's copy through a buffer of its own and takes up to the whole buffer per call
         * (a stream read takes at most 128 KiB), but only once bytes are queued: a channel's
         * read ignores the socket's timeout, so any wait is a timed read into this buffer.
         */
        int read(ByteBuffer into) throws IOException {
            if (!into.isDirect()) {
                return FramedInput.throughArray(this, into);
            }
            if (!into.hasRemaining()) {
                return 0;
            }
            if (position == limit) {
                SocketChannel channel = connection.socket.getChannel();
                if (channel != null && socket.available() > 0) {
                    int n = channel.read(into);
                    connection.answering |= n > 0;
                    return n;
                }
                if (!fill()) {
                    return -1;
                }
            }
            int n = Math.min(into.remaining(), limit - position);
            into.put(buffer, position, n);
            position += n;
            return n;
        }

        @Override
        public int available() throws IOException {
            return limit - position + socket.available();
        }

        /** Waits for a byte, or the end of the stream, without taking it. */
        void peek() throws IOException {
            if (position == limit) {
                fill();
            }
        }

        private boolean fill() throws IOException {
            int n = socket.read(buffer, 0, buffer.length);
            if (n <= 0) {
                return false;
            }
            position = 0;
            limit = n;
            connection.answering = true;
            return true;
        }
    }
}
