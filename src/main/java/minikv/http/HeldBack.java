package minikv.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;

/**
 * A body passed on with its last byte held back, for the index's PUT and the tools' copy alike.
 * nginx renames a PUT body into place only once it has all of it, so until {@link #sendLast}
 * no replica appears, and a body found wrong at its end (an md5 that does not match, a source
 * cut short) is dropped by closing its connections.
 *
 * <p>Bytes are read into one buffer, or two in turn so that the digest of one (on another
 * thread) overlaps sending it and reading the next. The byte held back becomes the first byte
 * of the next fill, so each fill still goes out in one write.
 *
 * @param <E> what reading the source and writing the sink may throw
 */
public final class HeldBack<E extends Exception> {

    /** Where the body comes from. */
    @FunctionalInterface
    public interface Source<E extends Exception> {
        /** Fills {@code buffer} from {@code offset}, or up to the body's end; -1 if already there. */
        int fill(byte[] buffer, int offset) throws E;
    }

    /** Where the body goes. */
    @FunctionalInterface
    public interface Sink<E extends Exception> {
        void write(byte[] buffer, int offset, int length) throws E;
    }

    /** Sees every byte once, in order; the bytes must not change until the future completes. */
    @FunctionalInterface
    public interface Digest {
        CompletableFuture<Void> update(byte[] buffer, int offset, int length);

        CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
        Digest NONE = (buffer, offset, length) -> DONE;
    }

    private final byte[][] buffers;
    private final CompletableFuture<?>[] digested;
    private final Digest digest;
    private final Source<E> source;
    private int current;
    /** Bytes in the current buffer; the last of them is the one held back. */
    private int filled;
    private long total;
    private boolean drained;

    /**
     * @param first       the body's first bytes, already read
     * @param firstLength how many: at least 1
     * @param twoBuffers  read into a second buffer while the first is digested (a large body)
     */
    public HeldBack(byte[] first, int firstLength, boolean twoBuffers, Digest digest, Source<E> source) {
        if (firstLength < 1) {
            throw new IllegalArgumentException("an empty body has no last byte to hold back");
        }
        if (first.length < 2) {
            // The byte held back takes the buffer's first place: the rest is where the next read goes.
            throw new IllegalArgumentException("a buffer of at least 2 bytes is needed, not " + first.length);
        }
        this.buffers = twoBuffers ? new byte[][] {first, new byte[first.length]} : new byte[][] {first};
        this.digested = new CompletableFuture<?>[] {digest.update(first, 0, firstLength), Digest.DONE};
        this.digest = digest;
        this.source = source;
        this.filled = firstLength;
        this.total = firstLength;
    }

    /**
     * Reads the source to its end, sending every byte but the last.
     *
     * @return the body's whole length
     */
    public long sendAllButLast(Sink<E> sink) throws E {
        while (!drained) {
            byte[] buffer = buffers[current];
            if (filled > 1) {
                sink.write(buffer, 0, filled - 1);
            }
            int next = (current + 1) % buffers.length;
            digested[next].join(); // the digest is done with the buffer about to be filled
            buffers[next][0] = buffer[filled - 1];
            current = next;
            int n = source.fill(buffers[current], 1);
            if (n < 0) {
                filled = 1;
                drained = true;
            } else {
                digested[current] = digest.update(buffers[current], 1, n);
                filled = 1 + n;
                total += n;
            }
        }
        return total;
    }

    /** Sends the byte held back: the receiver now has the whole body. */
    public void sendLast(Sink<E> sink) throws E {
        if (!drained) {
            throw new IllegalStateException("the body has not been read to its end");
        }
        sink.write(buffers[current], 0, 1);
    }

    /** Fills {@code buffer} from {@code offset} from {@code in}, as a {@link Source} does. */
    public static int fill(InputStream in, byte[] buffer, int offset) throws IOException {
        int filled = 0;
        while (offset + filled < buffer.length) {
            int n = in.read(buffer, offset + filled, buffer.length - offset - filled);
            if (n < 0) {
                return filled == 0 ? -1 : filled;
            }
            filled += n;
        }
        return filled;
    }
}
