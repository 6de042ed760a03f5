package minikv.index;

import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import minikv.placement.Placement;

/**
 * The md5 of a PUT body, fed chunk by chunk in order. For a large body it is computed on
 * another thread, so that it overlaps the request thread's socket reads and writes (it costs
 * about as much CPU as they do); a small body is digested in place, which costs less than a
 * hand-off.
 */
final class BodyDigest {

    private static final Executor DIGESTERS = Executors.newCachedThreadPool(runnable -> {
        Thread t = new Thread(runnable, "md5");
        t.setDaemon(true);
        return t;
    });
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final MessageDigest md5 = Placement.md5Digest();
    private final boolean inBackground;
    private CompletableFuture<Void> last = DONE;

    BodyDigest(boolean inBackground) {
        this.inBackground = inBackground;
    }

    /**
     * Adds {@code buffer[offset, offset + length)} to the digest. The bytes must not change
     * until the returned future completes.
     */
    CompletableFuture<Void> update(byte[] buffer, int offset, int length) {
        if (!inBackground) {
            md5.update(buffer, offset, length);
            return DONE;
        }
        last = last.thenRunAsync(() -> md5.update(buffer, offset, length), DIGESTERS);
        return last;
    }

    /** The md5 of everything added, once it has all been digested. */
    byte[] digest() {
        last.join();
        return md5.digest();
    }
}
