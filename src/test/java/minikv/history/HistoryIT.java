package minikv.history;

import java.nio.file.Path;
import java.time.Duration;
import minikv.testing.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Jepsen way, on the embedded store: a randomized history of client operations under
 * volume and index faults, checked against minikv's model ({@link HistoryRun}, {@link History}).
 * {@code scripts/soak SECONDS} runs it longer.
 */
class HistoryIT {

    /** Longer than the index's background settling (every 5 s, then a sweep 2 s later). */
    private static final Duration SETTLE = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void aHistoryUnderFaultsIsLegal() throws Exception {
        try (Cluster cluster = Cluster.start(dir, 3, "--replicas", "2")) {
            new HistoryRun(cluster, 1, SETTLE).run();
        }
    }
}
