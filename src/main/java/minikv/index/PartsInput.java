package minikv.index;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import minikv.http.Answer;
import minikv.s3.S3Error;

/** The parts of a multipart upload read from the volumes one after another, as one stream. */
final class PartsInput extends InputStream {

    private final S3Objects objects;
    private final List<S3Multipart.Part> parts;
    private int next;
    private Answer current;
    private long leftInPart;

    PartsInput(S3Objects objects, List<S3Multipart.Part> parts) {
        this.objects = objects;
        this.parts = parts;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        while (current == null || leftInPart == 0) {
            if (!openNext()) {
                return -1;
            }
        }
        int n = current.body().read(buffer, offset, (int) Math.min(length, leftInPart));
        if (n < 0) {
            throw new IOException("part " + parts.get(next - 1).number() + " ended " + leftInPart + " bytes early");
        }
        leftInPart -= n;
        return n;
    }

    private boolean openNext() throws IOException {
        close();
        if (next == parts.size()) {
            return false;
        }
        S3Multipart.Part part = parts.get(next++);
        try {
            current = objects.fetch(part.key(), part.record(), false, null);
        } catch (S3Error e) {
            throw new IOException(e.getMessage(), e);
        }
        leftInPart = part.record().details().size();
        return true;
    }

    @Override
    public void close() throws IOException {
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
