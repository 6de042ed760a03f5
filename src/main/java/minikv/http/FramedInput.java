package minikv.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/** A stream over part of a connection's bytes, read in blocks; a single byte is a block of one. */
abstract class FramedInput extends InputStream {

    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public abstract int read(byte[] buffer, int offset, int length) throws IOException;

    /** Reads what is there, at most {@code into.remaining()} bytes, into {@code into}; -1 at the end. */
    int read(ByteBuffer into) throws IOException {
        return throughArray(this, into);
    }

    /**
     * Reads from {@code in} into {@code into}: from a connection's socket straight into a direct
     * buffer where it can, otherwise through a byte array.
     */
    static int read(InputStream in, ByteBuffer into) throws IOException {
        if (in instanceof FramedInput framed) {
            return framed.read(into);
        }
        if (in instanceof Connection.Input socket) {
            return socket.read(into);
        }
        return throughArray(in, into);
    }

    static int throughArray(InputStream in, ByteBuffer into) throws IOException {
        if (into.hasArray()) {
            int n = in.read(into.array(), into.arrayOffset() + into.position(), into.remaining());
            into.position(into.position() + Math.max(n, 0));
            return n;
        }
        byte[] bytes = new byte[Math.min(into.remaining(), 64 * 1024)];
        int n = in.read(bytes, 0, bytes.length);
        if (n > 0) {
            into.put(bytes, 0, n);
        }
        return n;
    }
}
