package minikv.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import minikv.testing.AdminPort;
import minikv.testing.Cluster;
import minikv.testing.FreePorts;
import minikv.testing.Http;
import minikv.testing.VolumeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Liveness and readiness as a load balancer sees them while a volume goes away and comes back. */
class HealthIT {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void readinessFlipsWhenAVolumeStopsAndBackWhenItReturns() {
        int adminPort = FreePorts.next();
        try (Cluster cluster = Cluster.start(dir, 3, "--replicas", "3", "--admin-port", Integer.toString(adminPort))) {
            AdminPort admin = new AdminPort(adminPort);
            assertEquals("ready: 3 of 3 volumes up, 3 needed\n", admin.awaitReadiness(200, WAIT));

            VolumeProcess stopped = cluster.volumes().get(1);
            stopped.stop();

            String notReady = admin.awaitReadiness(503, WAIT);
            assertTrue(notReady.startsWith("not ready: 2 of 3 volumes up, 3 needed to write a value (down: "
                    + stopped.address() + ")"), notReady);
            assertEquals(200, Http.get(admin.url("/health/live")).statusCode(), "alive all the same");
            assertEquals(0.0, admin.metric("minikv_volume_up{volume=\"" + stopped.address() + "\"}"));
            assertEquals(1.0, admin.metric("minikv_volume_up{volume=\"" + cluster.volumes().get(0).address() + "\"}"));
            assertTrue(admin.metric("minikv_volume_probe_errors_total{volume=\"" + stopped.address() + "\"}") >= 1);
            assertEquals(0.0, admin.metric("minikv_ready"));
            assertTrue(cluster.index().output().contains("WARN  VolumeHealth: volume " + stopped.address() + " is down"),
                    cluster.index().output());

            cluster.restartVolume(stopped);

            assertEquals("ready: 3 of 3 volumes up, 3 needed\n", admin.awaitReadiness(200, WAIT));
            assertEquals(1.0, admin.metric("minikv_volume_up{volume=\"" + stopped.address() + "\"}"));
            assertEquals(1.0, admin.metric("minikv_ready"));
        }
    }
}
