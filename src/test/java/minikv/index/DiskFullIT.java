package minikv.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import minikv.testing.Await;
import minikv.testing.Cluster;
import minikv.testing.Http;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One volume's disk fills up: an 8 MiB tmpfs mounted as its directory (needs root; skipped
 * otherwise). PUTs that do not fit fail whole on every replica, what was stored stays readable,
 * and the volume takes writes again as soon as there is room.
 */
class DiskFullIT {

    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;
    Path smallDisk;
    Cluster cluster;

    @BeforeEach
    void mountASmallDisk() throws Exception {
        assumeTrue(new UnixSystem().getUid() == 0, "mounting a tmpfs needs root");
        smallDisk = Files.createDirectories(dir.resolve("volume2"));
        String failure = run("mount", "-t", "tmpfs", "-o", "size=8m", "minikv-test", smallDisk.toString());
        assumeTrue(failure.isEmpty(), "cannot mount a tmpfs here: " + failure);
    }

    @AfterEach
    void unmount() throws Exception {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (smallDisk != null && run("mountpoint", "-q", smallDisk.toString()).isEmpty()) {
                String failure = run("umount", smallDisk.toString());
                if (!failure.isEmpty()) {
                    run("umount", "-l", smallDisk.toString());
                }
            }
        }
    }

    @Test
    void aVolumeBelowMinFreeIsRefusedBeforeAnyByteMoves() {
        cluster = Cluster.start(dir, 3); // default --min-free 1GiB: the 8 MiB disk is always below it
        // Until the first probe has read the volume's disk status, its disk is unknown and not refused.
        int[] attempt = {0};
        Await.status(507, () -> Http.put(cluster.url("/early/" + attempt[0]++), random(MIB, 2)), PATIENCE);
        HttpResponse<byte[]> refused = Http.put(cluster.url("/refused"), random(MIB, 2));
        assertEquals(507, refused.statusCode());
        assertTrue(new String(refused.body()).contains(cluster.volumes().get(1).address()),
                "the answer names the full volume: " + new String(refused.body()));
        assertLeftNothing("/refused");
    }

    /**
     * The disk status a volume reports is seconds old, so a disk can still fill up under a write:
     * with --min-free off (only values larger than the reported free space are refused up front),
     * filling the disk 1 MiB at a time reaches the volume's own failure, which must fail whole.
     */
    @Test
    void whatDoesNotFitFailsWholeAndWhatFitsStaysReadable() {
        cluster = Cluster.start(dir, 3, "--min-free", "0");
        assertTrue(cluster.volumes().get(1).dir().startsWith(smallDisk));

        HttpResponse<byte[]> huge = Http.put(cluster.url("/huge"), random(12 * MIB, 1));
        assertTrue(failedWhole(huge.statusCode()), "a PUT larger than the disk: " + huge.statusCode());
        assertLeftNothing("/huge");

        Map<String, byte[]> stored = new LinkedHashMap<>();
        HttpResponse<byte[]> refused = null;
        for (int i = 0; i < 12 && refused == null; i++) { // 1 MiB at a time until the small disk is full
            byte[] value = random(MIB, 10 + i);
            HttpResponse<byte[]> put = Http.put(cluster.url("/fill/" + i), value);
            if (put.statusCode() == 201) {
                stored.put("/fill/" + i, value);
            } else {
                refused = put;
                assertLeftNothing("/fill/" + i);
            }
        }
        assertTrue(refused != null && failedWhole(refused.statusCode()),
                "the disk never filled up, or the PUT failed oddly: " + (refused == null ? "none" : refused.statusCode()));
        assertTrue(stored.size() >= 4, "only " + stored.size() + " MiB fit on an 8 MiB disk");
        stored.forEach((key, value) -> assertArrayEquals(value, cluster.read(key), key));

        String freed = stored.keySet().iterator().next();
        assertEquals(204, Http.delete(cluster.url(freed)).statusCode());
        byte[] again = random(MIB, 99);
        assertEquals(201, Await.status(201, () -> Http.put(cluster.url("/after"), again), PATIENCE),
                "room again once a value is deleted");
        assertArrayEquals(again, cluster.read("/after"));
    }

    /**
     * 507: the index saw from the volume's disk status that the value cannot fit; 502/503: the
     * status was stale and the volume itself failed the write. Either way nothing may be stored.
     */
    private static boolean failedWhole(int status) {
        return status == 507 || status == 502 || status == 503;
    }

    /** No replica on any volume, no partial upload, and the key reads as absent. */
    private void assertLeftNothing(String key) {
        assertNull(cluster.read(key));
        assertEquals(List.of(), cluster.replicaFiles(key));
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!cluster.partialUploads().isEmpty() && System.nanoTime() < deadline) {
            Await.pause(Duration.ofMillis(50));
        }
        assertEquals(List.of(), cluster.partialUploads());
    }

    private static byte[] random(int size, long seed) {
        byte[] value = new byte[size];
        new Random(seed).nextBytes(value);
        return value;
    }

    /** Runs a command; returns "" on success, else its output and status. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return String.join(" ", command) + " did not finish";
        }
        String output = new String(process.getInputStream().readAllBytes()).strip();
        return process.exitValue() == 0 ? "" : String.join(" ", command) + ": status " + process.exitValue() + " " + output;
    }
}
