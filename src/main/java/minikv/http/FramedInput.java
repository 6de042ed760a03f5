package minikv.http;

import java.io.IOException;
import java.io.InputStream;

/** A stream over part of a connection's bytes, read in blocks; a single byte is a block of one. */
abstract class FramedInput extends InputStream {

    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public abstract int read(byte[] buffer, int offset, int length) throws IOException;
}
