package minikv.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** A request body of unknown length, sent as HTTP/1.1 chunks; {@link #end} sends the last one. */
final class ChunkedOutput extends OutputStream {
    private static final byte[] CHUNKED_END = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;

    ChunkedOutput(OutputStream out) {
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
        out.write(CHUNKED_END);
    }
}
