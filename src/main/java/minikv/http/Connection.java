package minikv.http;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/** One connection to a server: its socket and buffered streams, and whether an answer has begun on it. */
final class Connection {
    final Socket socket;
    private final BufferedInputStream buffered;
    final InputStream in;
    final OutputStream out;
    boolean reused;
    /** Set once the first byte of an answer arrived: from then on a failure is no stale connection. */
    volatile boolean answering;
    long idleSince;

    Connection(Socket socket) throws IOException {
        this.socket = socket;
        this.buffered = new BufferedInputStream(socket.getInputStream(), 8 * 1024);
        this.in = new AnswerStream(buffered, this);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 8 * 1024);
    }

    /**
     * Waits, within the socket's timeout, until an answer's first byte or the end of the
     * stream is there, without taking it.
     */
    void peek() throws IOException {
        buffered.mark(1);
        int b = buffered.read();
        buffered.reset();
        answering |= b >= 0;
    }

    void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing is all that was asked
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
}
