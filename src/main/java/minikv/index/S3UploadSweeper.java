package minikv.index;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aborts multipart uploads left unfinished longer than {@code --s3-upload-max-age}, as S3's
 * lifecycle rule AbortIncompleteMultipartUpload would: their parts would otherwise stay on the
 * volumes forever. Looks a few times per max age, at most every 10 minutes.
 */
final class S3UploadSweeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(S3UploadSweeper.class);
    private static final Duration MOST_BETWEEN = Duration.ofMinutes(10);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "s3-upload-sweeper");
        t.setDaemon(true);
        return t;
    });

    S3UploadSweeper(S3Multipart multipart, Duration maxAge) {
        long every = Math.max(1000, Math.min(MOST_BETWEEN.toMillis(), maxAge.toMillis() / 4));
        timer.scheduleWithFixedDelay(() -> {
            try {
                int aborted = multipart.abortBegunBefore(System.currentTimeMillis() - maxAge.toMillis());
                if (aborted > 0) {
                    log.info("aborted multipart uploads begun more than {} ago: {} key(s) removed", maxAge, aborted);
                }
            } catch (RuntimeException e) {
                log.warn("cannot sweep old multipart uploads: {}", e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
