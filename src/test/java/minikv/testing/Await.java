package minikv.testing;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;

/** Requests repeated until the store has settled: the index learns of volumes from probes, once a second. */
public final class Await {

    private static final Duration POLL = Duration.ofMillis(50);

    private Await() {
    }

    /** The status of {@code request} once it is {@code wanted}, or the last one after {@code patience}. */
    public static int status(int wanted, Supplier<HttpResponse<byte[]>> request, Duration patience) {
        return until(status -> status == wanted, request, patience);
    }

    /**
     * The status once it is no longer {@code 409}: a failed request holds its key until it has
     * rolled back, a moment after its client saw it fail.
     */
    public static int unclaimed(Supplier<HttpResponse<byte[]>> request, Duration patience) {
        return until(status -> status != 409, request, patience);
    }

    private static int until(java.util.function.IntPredicate done, Supplier<HttpResponse<byte[]>> request,
            Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            int status = request.get().statusCode();
            if (done.test(status) || System.nanoTime() > deadline) {
                return status;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return status;
            }
        }
    }
}
