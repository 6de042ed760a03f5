package minikv.index;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A failure to read a value the index copies from the volumes (CopyObject's source, a multipart
 * upload's parts): the volume's fault, answered 503, never the client's "body ended early".
 */
final class SourceUnreadable extends IOException {

    SourceUnreadable(String what, IOException cause) {
        super("cannot read " + what + " from the volumes: " + cause.getMessage(), cause);
    }

    /** {@code in}, whose read failures are SourceUnreadable. */
    static InputStream guard(InputStream in, String what) {
        return new FilterInputStream(in) {
            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                try {
                    return super.read(buffer, offset, length);
                } catch (SourceUnreadable e) {
                    throw e;
                } catch (IOException e) {
                    throw new SourceUnreadable(what, e);
                }
            }
        };
    }
}
