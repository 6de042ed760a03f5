package minikv.history;

import java.nio.file.Path;
import java.time.Duration;
import minikv.testing.Cluster;
import minikv.testing.Postgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The randomized history of {@link HistoryIT} on the shared PostgreSQL store, through two index
 * processes at once, either of which the nemesis kills -9: the same model must hold whichever
 * process a client reaches, and a killed process's unfinished keys are settled by the other.
 */
class SharedHistoryIT {

    @RegisterExtension
    static final Postgres postgres = new Postgres();

    /** A killed process's lease (10 s) runs out, then the other's background settling (every 5 s) and sweep (2 s later). */
    private static final Duration SETTLE = Duration.ofSeconds(25);

    @TempDir
    Path dir;

    @Test
    void aHistoryThroughTwoIndexProcessesUnderFaultsIsLegal() throws Exception {
        try (Cluster cluster = Cluster.startOn(postgres.newDatabase(), dir, 3, "--replicas", "2")) {
            new HistoryRun(cluster, 2, SETTLE).run();
        }
    }
}
