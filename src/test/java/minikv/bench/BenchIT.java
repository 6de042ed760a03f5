package minikv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import minikv.testing.Cluster;
import minikv.testing.JarProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The thrasher from the built jar against a real cluster from the same jar: 3 volumes and the index. */
class BenchIT {

    @TempDir
    Path dir;

    @Test
    void everyCycleCompletesAgainstARealCluster() {
        try (Cluster cluster = Cluster.start(dir, 3);
                JarProcess bench = JarProcess.start("bench", "--keys", "300", "--workers", "8",
                        "--index", cluster.url(""))) {
            int status = bench.waitFor(Duration.ofSeconds(60));

            String output = bench.output();
            assertEquals(0, status, output);
            assertTrue(output.contains("300 of 300 cycles completed"), output);
            assertTrue(output.contains(", 0 failures"), output);
        }
    }
}
