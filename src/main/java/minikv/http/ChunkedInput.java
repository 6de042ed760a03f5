package minikv.http;

import java.io.IOException;
import java.io.InputStream;

/**
 * An answer body sent as HTTP/1.1 chunks (nginx's listings, Undertow's streamed answers), as the
 * bytes they carry. Its end is the last chunk and its trailers, so the connection after it can
 * carry another request.
 */
final class ChunkedInput extends FramedInput {
    /** Longer than any chunk-size line a server sends; a longer one is not HTTP. */
    private static final int MAX_SIZE_LINE = 1024;

    private final InputStream in;
    private long leftInChunk;
    private boolean ended;

    ChunkedInput(InputStream in) {
        this.in = in;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (ended) {
            return -1;
        }
        if (leftInChunk == 0) {
            leftInChunk = nextChunkSize();
            if (leftInChunk == 0) {
                while (!Answer.line(in).isEmpty()) {
                    // trailers: none that matter here
                }
                ended = true;
                return -1;
            }
        }
        int n = in.read(buffer, offset, (int) Math.min(length, leftInChunk));
        if (n < 0) {
            throw new IOException("the connection ended inside a chunk of the answer");
        }
        leftInChunk -= n;
        if (leftInChunk == 0 && !Answer.line(in).isEmpty()) {
            throw new IOException("a chunk of the answer is longer than its size said");
        }
        return n;
    }

    private long nextChunkSize() throws IOException {
        String line = Answer.line(in);
        int end = line.indexOf(';'); // chunk extensions: ignored
        String hex = (end < 0 ? line : line.substring(0, end)).trim();
        if (hex.isEmpty() || hex.length() > 15 || line.length() > MAX_SIZE_LINE) {
            throw new IOException("bad chunk size in the answer: " + (line.length() > 40 ? line.substring(0, 40) : line));
        }
        try {
            long size = Long.parseLong(hex, 16);
            if (size < 0) {
                throw new NumberFormatException();
            }
            return size;
        } catch (NumberFormatException e) {
            throw new IOException("bad chunk size in the answer: " + hex);
        }
    }
}
