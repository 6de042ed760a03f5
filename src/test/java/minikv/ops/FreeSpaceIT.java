package minikv.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import minikv.cluster.DiskStatus;
import minikv.placement.Placement;
import minikv.testing.AdminPort;
import minikv.testing.Cluster;
import minikv.testing.FreePorts;
import minikv.testing.Http;
import minikv.testing.VolumeProcess;
import minikv.testing.VolumeTemplates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A volume short of room takes no new values: the PUT is refused with 507 before any byte moves.
 * "Short of room" is made deterministic without filling a disk: one volume serves a status that
 * reports 1 MiB free (its template points the status location at a fixed file), or the index asks
 * for more room than any disk here has.
 */
class FreeSpaceIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final long GIB = 1L << 30;

    @TempDir
    Path dir;
    Cluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aNearlyFullVolumeReceivesNoNewValues() throws IOException {
        int adminPort = FreePorts.next();
        cluster = Cluster.start(dir, 3, "--replicas", "2", "--min-free", "1GiB", "--admin-port", Integer.toString(adminPort));
        AdminPort admin = new AdminPort(adminPort);
        VolumeProcess full = reportNearlyFull(cluster.volumes().get(0));
        String series = "{volume=\"" + full.address() + "\"}";
        admin.awaitMetric("minikv_volume_disk_free_bytes" + series, free -> free == 1 << 20, WAIT);
        admin.awaitMetric("minikv_volume_up" + series, up -> up == 1, WAIT);
        assertEquals(0.0, admin.metric("minikv_volume_writable" + series));
        String onFull = PlacedKeys.find(cluster, "/room-", full.address(), true);
        String elsewhere = PlacedKeys.find(cluster, "/room-", full.address(), false);

        HttpResponse<byte[]> refused = Http.put(cluster.url(onFull), "value".getBytes(StandardCharsets.UTF_8));

        assertEquals(507, refused.statusCode());
        assertEquals("volume " + full.address() + " has 1.0 MiB free; this value (5 B) would leave less than --min-free 1GiB;"
                + " nothing stored\n", new String(refused.body(), StandardCharsets.UTF_8));
        assertEquals(List.of(), cluster.replicaFiles(onFull), "no replica on any volume");
        assertEquals(404, Http.get(cluster.url(onFull)).statusCode());
        assertEquals(0.0, admin.metric("minikv_keys{state=\"pending\"}"));
        assertEquals(1.0, admin.metric("minikv_http_requests_total{method=\"PUT\",status=\"507\"}"));
        String status = new String(Http.get(admin.url("/status")).body(), StandardCharsets.UTF_8);
        assertTrue(status.contains("refused</span><div class=\"why\">volume " + full.address() + " has 1.0 MiB free"), status);

        assertEquals(201, Http.put(cluster.url(elsewhere), "value".getBytes(StandardCharsets.UTF_8)).statusCode(),
                "volumes with room still take values");
        assertEquals(2, cluster.replicaFiles(elsewhere).size());
    }

    @Test
    void aMinFreeAboveEveryVolumesFreeSpaceStopsAllWrites() {
        cluster = Cluster.start(dir, 2, "--replicas", "1", "--min-free", "1PiB", "--admin-port", "off");

        HttpResponse<byte[]> refused = Http.put(cluster.url("/any"), "value".getBytes(StandardCharsets.UTF_8));

        assertEquals(507, refused.statusCode());
        String volume = Placement.volumeOf(cluster.locations("/any").get(0));
        assertTrue(new String(refused.body(), StandardCharsets.UTF_8).startsWith("volume " + volume + " has "),
                "the real disk status names the volume: " + new String(refused.body(), StandardCharsets.UTF_8));
        assertTrue(cluster.index().awaitOutput("PUT /any answered 507: volume " + volume, WAIT), cluster.index().output());
        assertEquals(List.of(), cluster.files());
    }

    /** Restarts the volume serving, as its status, a fixed file that says 1 MiB of 10 GiB is free. */
    private VolumeProcess reportNearlyFull(VolumeProcess volume) throws IOException {
        Path status = Files.write(dir.resolve("nearly-full.json"),
                new DiskStatus(Instant.now(), 10 * GIB, 1L << 20, 10 * GIB - (1L << 20)).toJson());
        Path template = VolumeTemplates.builtInWith(dir.resolve("nearly-full.conf"), "alias \"{{status_file}}\";",
                "alias \"" + status + "\";");
        volume.stop();
        return cluster.restartVolume(volume, "--template", template.toString());
    }
}
