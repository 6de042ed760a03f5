package minikv.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import minikv.placement.Placement;
import minikv.testing.Cluster;
import minikv.testing.Http;
import minikv.testing.JarProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index command line: options that change behaviour, bad configurations, shutdown. */
class IndexOptionsIT {

    @TempDir
    static Path dir;
    /** One set of volumes; each test starts the index with the options it is about. */
    static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(dir, 3);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    private static void restartIndexWith(String... options) {
        assertEquals(0, cluster.stopIndex(), "SIGTERM is an orderly stop");
        cluster.startIndex(options);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void moreReplicasThanVolumesIsRefusedAtStartup() {
        try (JarProcess index = JarProcess.start("index", "--db", dir.resolve("db").toString(), "--replicas", "4",
                "127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3")) {
            assertNotEquals(0, index.waitFor(Duration.ofSeconds(30)));
            assertTrue(index.output().contains("--replicas 4 needs between 1 and 3 volumes"), index.output());
        }
        try (JarProcess index = JarProcess.start("index", "--voltimeout", "soon", "127.0.0.1:1")) {
            assertNotEquals(0, index.waitFor(Duration.ofSeconds(30)));
            assertTrue(index.output().contains("like 500ms"), index.output());
        }
    }

    @Test
    void helpDescribesEveryOption() {
        try (JarProcess help = JarProcess.start("index", "--help")) {
            assertEquals(0, help.waitFor(Duration.ofSeconds(30)));
            for (String option : List.of("--port", "--bind", "--db", "--replicas", "--subvolumes", "--fallback",
                    "--protect", "--voltimeout", "--[no-]md5", "VOLUME")) {
                assertTrue(help.stdout().contains(option), option + " missing from:\n" + help.stdout());
            }
        }
    }

    @Test
    void protectFallbackAndNoMd5() {
        restartIndexWith("--protect", "--fallback", "127.0.0.1:9", "--no-md5", "--voltimeout", "500ms", "--subvolumes", "1");
        assertEquals(201, Http.put(cluster.url("/protected"), bytes("v")).statusCode());
        HttpResponse<byte[]> refused = Http.delete(cluster.url("/protected"));
        assertEquals(403, refused.statusCode());
        assertTrue(new String(refused.body(), StandardCharsets.UTF_8).contains("UNLINK"));
        assertArrayEquals(bytes("v"), cluster.read("/protected"));
        assertEquals(204, Http.send("UNLINK", cluster.url("/protected")).statusCode());
        assertEquals(204, Http.delete(cluster.url("/protected")).statusCode());

        HttpResponse<byte[]> miss = Http.get(cluster.url("/not%20here"));
        assertEquals(302, miss.statusCode());
        assertEquals("http://127.0.0.1:9/not%20here", miss.headers().firstValue("Location").orElseThrow());

        assertEquals(201, Http.put(cluster.url("/plain"), bytes("v")).statusCode());
        HttpResponse<byte[]> get = Http.get(cluster.url("/plain"));
        assertFalse(get.headers().firstValue("Content-Md5").isPresent());
        // One subvolume: no svXX level, files straight under the volume's directory.
        String location = get.headers().firstValue("Location").orElseThrow();
        assertTrue(location.endsWith(Placement.path("/plain")) && !location.contains("/sv"), location);
        String wrongMd5 = Base64.getEncoder().encodeToString(Placement.md5(bytes("w")));
        assertEquals(400, Http.put(cluster.url("/checked"), bytes("v"), "Content-MD5", wrongMd5).statusCode(),
                "a Content-MD5 sent by the client is checked even with --no-md5");
    }

    @Test
    void sigtermStopsCleanlyAndRecordsKeepTheirLocationsAcrossAPlacementChange() {
        restartIndexWith();
        assertEquals(201, Http.put(cluster.url("/survivor"), bytes("still here")).statusCode());
        String before = Http.get(cluster.url("/survivor")).headers().firstValue("Key-Volumes").orElseThrow();
        long start = System.nanoTime();
        restartIndexWith("--subvolumes", "7");
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos());

        HttpResponse<byte[]> get = Http.get(cluster.url("/survivor"));
        assertEquals(before, get.headers().firstValue("Key-Volumes").orElseThrow());
        assertEquals("unbalanced", get.headers().firstValue("Key-Balance").orElseThrow());
        assertArrayEquals(bytes("still here"), cluster.read("/survivor"));
        assertEquals(201, Http.put(cluster.url("/newcomer"), bytes("n")).statusCode());
        assertEquals("balanced", Http.get(cluster.url("/newcomer")).headers().firstValue("Key-Balance").orElseThrow());
    }
}
