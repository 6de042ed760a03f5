package minikv.testing;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;
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

    /** Polls {@code condition} until it holds; false if it still does not after {@code patience}. */
    public static boolean until(BooleanSupplier condition, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            pause(POLL);
        }
        return true;
    }

    /** Sleeps for {@code duration}; an interrupt ends it early and stays set. */
    public static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int until(java.util.function.IntPredicate done, Supplier<HttpResponse<byte[]>> request,
            Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            int status = request.get().statusCode();
            if (done.test(status) || System.nanoTime() > deadline) {
                return status;
            }
            pause(POLL);
            if (Thread.currentThread().isInterrupted()) {
                return status;
            }
        }
    }
}
