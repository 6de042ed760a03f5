package minikv.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import minikv.placement.Placement;
import minikv.store.IndexStore;
import minikv.testing.AdminPort;
import minikv.testing.Await;
import minikv.testing.Cluster;
import minikv.testing.FreePorts;
import minikv.testing.Http;
import minikv.testing.VolumeProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the index guarantees when volumes go away and when it is itself killed. */
class IndexFailureIT {

    /** The index learns that a volume came back or went away from its probes, once a second. */
    private static final Duration PROBES_NOTICE = Duration.ofSeconds(5);

    @TempDir
    Path dir;
    Cluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    private List<String> listed(String prefix) {
        HttpResponse<byte[]> list = Http.get(cluster.url(prefix + "?list"));
        assertEquals(200, list.statusCode());
        List<String> keys = new ArrayList<>();
        try (JsonParser json = new JsonFactory().createParser(list.body())) {
            while (json.nextToken() != JsonToken.START_ARRAY) {
                assertTrue(json.hasCurrentToken());
            }
            while (json.nextToken() == JsonToken.VALUE_STRING) {
                keys.add(json.getText());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }

    @Test
    void withAVolumeDownWritesFailFastReadsGoOnAndDeletesFinishOnRetry() throws Exception {
        cluster = Cluster.start(dir, 3);
        for (String key : List.of("/kept", "/doomed", "/replaced")) {
            assertEquals(201, Http.put(cluster.url(key), bytes(key)).statusCode());
        }
        VolumeProcess down = cluster.volumes().get(1);
        down.stop();

        // Every key has a replica on every volume here (3 replicas, 3 volumes).
        long start = System.nanoTime();
        HttpResponse<byte[]> put = Http.put(cluster.url("/during"), bytes("during"));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(503, put.statusCode(), body(put));
        assertTrue(body(put).contains(down.address()), body(put));
        assertTrue(millis < 2000, "the PUT took " + millis + " ms");
        assertEquals(List.of(), cluster.replicaFiles("/during"));
        assertNull(cluster.read("/during"));

        for (int i = 0; i < 10; i++) { // redirects go to the volumes that are up
            HttpResponse<byte[]> get = Http.get(cluster.url("/kept"));
            assertEquals(302, get.statusCode());
            assertFalse(get.headers().firstValue("Location").orElseThrow().contains(down.address()));
            assertArrayEquals(bytes("/kept"), cluster.read("/kept"));
        }

        HttpResponse<byte[]> delete = Http.delete(cluster.url("/doomed"));
        assertEquals(503, delete.statusCode());
        assertTrue(body(delete).contains(down.address()), body(delete));
        assertNull(cluster.read("/doomed"), "a key being deleted reads as absent");
        assertFalse(listed("/").contains("/doomed"));
        assertEquals(503, Http.delete(cluster.url("/replaced")).statusCode());
        assertEquals(503, Http.put(cluster.url("/replaced"), bytes("new")).statusCode(),
                "a PUT must first finish the delete, which it cannot");

        cluster.restartVolume(down);
        assertEquals(204, Await.status(204, () -> Http.delete(cluster.url("/doomed")), PROBES_NOTICE));
        assertEquals(List.of(), cluster.replicaFiles("/doomed"));

        assertEquals(201, Await.status(201, () -> Http.put(cluster.url("/replaced"), bytes("new")), PROBES_NOTICE));
        assertArrayEquals(bytes("new"), cluster.read("/replaced"));
        assertEquals(3, cluster.replicaFiles("/replaced").size());

        cluster.volumes().forEach(VolumeProcess::stop);
        assertEquals(503, Await.status(503, () -> Http.get(cluster.url("/kept")), PROBES_NOTICE), "no replica is on a volume that is up");
        assertTrue(body(Http.get(cluster.url("/kept"))).contains("is down"));
    }

    /**
     * A restarted volume has closed every connection the index kept open to it. The first
     * writes after it is back, small values (sent whole) and large ones (streamed), must not
     * fail on one of those.
     */
    @Test
    void writesRightAfterAVolumeRestartDoNotFailOnTheConnectionsItClosed() throws Exception {
        int adminPort = FreePorts.next();
        cluster = Cluster.start(dir, 3, "--admin-port", Integer.toString(adminPort));
        AdminPort admin = new AdminPort(adminPort);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            // Leave the index several idle connections to every volume.
            List<Future<Integer>> puts = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                String key = "/before/" + i;
                puts.add(clients.submit(() -> Http.put(cluster.url(key), bytes(key)).statusCode()));
            }
            for (Future<Integer> put : puts) {
                assertEquals(201, put.get());
            }
        } finally {
            clients.shutdownNow();
        }
        VolumeProcess restarted = cluster.volumes().get(0);
        String up = "minikv_volume_up{volume=\"" + restarted.address() + "\"}";
        restarted.stop();
        admin.awaitMetric(up, v -> v == 0, Duration.ofSeconds(10));
        cluster.restartVolume(restarted);
        admin.awaitMetric(up, v -> v == 1, Duration.ofSeconds(10));

        byte[] large = new byte[1 << 20];
        ThreadLocalRandom.current().nextBytes(large);
        for (int i = 0; i < 4; i++) {
            assertEquals(201, Http.put(cluster.url("/after/small/" + i), bytes("small")).statusCode(), "small PUT " + i);
            assertEquals(201, Http.put(cluster.url("/after/large/" + i), large).statusCode(), "large PUT " + i);
            assertEquals(204, Http.delete(cluster.url("/before/" + i)).statusCode(), "DELETE " + i);
        }
        assertArrayEquals(large, cluster.read("/after/large/3"));
    }

    @Test
    void afterKill9DuringParallelPutsEveryAcknowledgedValueIsThereAndNothingHalfDone() throws Exception {
        cluster = Cluster.start(dir, 3);
        Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean crashed = new AtomicBoolean();
        ExecutorService writers = Executors.newFixedThreadPool(8);
        for (int t = 0; t < 8; t++) {
            int writer = t;
            writers.submit(() -> {
                for (int i = 0; !crashed.get(); i++) {
                    String key = "/crash/" + writer + "/" + i;
                    byte[] value = new byte[ThreadLocalRandom.current().nextInt(1, 256 * 1024)];
                    ThreadLocalRandom.current().nextBytes(value);
                    try {
                        if (Http.put(cluster.url(key), value).statusCode() == 201) {
                            acknowledged.put(key, Placement.md5(value));
                        }
                    } catch (RuntimeException e) {
                        return; // the index is gone
                    }
                }
            });
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (acknowledged.size() < 100 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        cluster.killIndex();
        crashed.set(true);
        writers.shutdown();
        assertTrue(writers.awaitTermination(60, TimeUnit.SECONDS));
        assertTrue(acknowledged.size() >= 100, "only " + acknowledged.size() + " PUTs were acknowledged");

        cluster.startIndex();
        for (Map.Entry<String, byte[]> entry : acknowledged.entrySet()) {
            byte[] value = cluster.read(entry.getKey());
            assertTrue(value != null && Arrays.equals(entry.getValue(), Placement.md5(value)), entry.getKey());
        }
        List<String> listed = listed("/crash/");
        assertTrue(listed.containsAll(acknowledged.keySet()));
        Set<Path> expectedFiles = new HashSet<>();
        for (String key : listed) {
            assertTrue(cluster.read(key) != null, key);
            for (String location : cluster.locations(key)) {
                expectedFiles.add(cluster.replicaFile(location, key));
            }
        }
        // No file of a write that was rolled back, none missing of one that was kept.
        assertEquals(expectedFiles, new HashSet<>(cluster.files()));

        assertEquals(0, cluster.stopIndex());
        try (IndexStore store = IndexStore.open(cluster.db())) {
            assertEquals(List.of(), store.unsettled(), "PENDING or DELETING records left");
        }
    }
}
