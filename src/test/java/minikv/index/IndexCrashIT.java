package minikv.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import minikv.placement.Placement;
import minikv.store.IndexStore;
import minikv.testing.Cluster;
import minikv.testing.Http;
import minikv.testing.Listings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index killed with -9 while PUTs and DELETEs run in parallel, then started again on its
 * database. Acknowledged writes and deletes hold; each unacknowledged one either happened
 * whole or not at all; the volumes end up holding exactly the replicas of the live keys.
 */
class IndexCrashIT {

    private static final int WRITERS = 4;
    private static final int DELETERS = 4;
    private static final int DELETABLE = 120;
    /** The restarted index finishes deletes cut short in the background, every few seconds. */
    private static final Duration SETTLING = Duration.ofSeconds(12);

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
    void afterKill9DuringParallelPutsAndDeletesNothingAcknowledgedIsLostAndNothingIsHalfDone() throws Exception {
        cluster = Cluster.start(dir, 3);
        Map<String, byte[]> values = new ConcurrentHashMap<>(); // md5 of what was sent, per key
        ConcurrentLinkedQueue<String> toDelete = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < DELETABLE; i++) {
            String key = "/delete/" + i;
            byte[] value = randomValue();
            assertEquals(201, Http.put(cluster.url(key), value).statusCode());
            values.put(key, Placement.md5(value));
            toDelete.add(key);
        }
        Set<String> putsAcknowledged = ConcurrentHashMap.newKeySet();
        Set<String> putsInDoubt = ConcurrentHashMap.newKeySet();
        Set<String> deletesAcknowledged = ConcurrentHashMap.newKeySet();
        Set<String> deletesInDoubt = ConcurrentHashMap.newKeySet();
        AtomicBoolean crashed = new AtomicBoolean();

        ExecutorService clients = Executors.newFixedThreadPool(WRITERS + DELETERS);
        for (int t = 0; t < WRITERS; t++) {
            int writer = t;
            clients.submit(() -> {
                for (int i = 0; !crashed.get(); i++) {
                    String key = "/put/" + writer + "/" + i;
                    byte[] value = randomValue();
                    values.put(key, Placement.md5(value));
                    putsInDoubt.add(key);
                    if (status(() -> Http.put(cluster.url(key), value)) == 201) {
                        putsAcknowledged.add(key);
                        putsInDoubt.remove(key);
                    }
                }
            });
        }
        for (int t = 0; t < DELETERS; t++) {
            clients.submit(() -> {
                for (String key = toDelete.poll(); key != null && !crashed.get(); key = toDelete.poll()) {
                    String deleted = key;
                    deletesInDoubt.add(deleted);
                    if (status(() -> Http.delete(cluster.url(deleted))) == 204) {
                        deletesAcknowledged.add(deleted);
                        deletesInDoubt.remove(deleted);
                    }
                }
            });
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while ((putsAcknowledged.size() < 40 || deletesAcknowledged.size() < 40) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        cluster.killIndex();
        crashed.set(true);
        clients.shutdown();
        assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS));
        assertTrue(putsAcknowledged.size() >= 40 && deletesAcknowledged.size() >= 40,
                putsAcknowledged.size() + " PUTs and " + deletesAcknowledged.size() + " DELETEs acknowledged before the kill");

        cluster.startIndex();

        for (String key : putsAcknowledged) {
            assertArrayEquals(values.get(key), md5(cluster.read(key)), key);
        }
        for (String key : deletesAcknowledged) {
            assertNull(cluster.read(key), key);
        }
        Set<String> live = new HashSet<>(Listings.live(cluster, "/"));
        for (String key : putsInDoubt) { // cut short by the kill: the whole value, or nothing
            byte[] value = cluster.read(key);
            assertTrue(value == null ? !live.contains(key) : live.contains(key) && md5Equals(values.get(key), value), key);
        }
        for (String key : deletesInDoubt) {
            byte[] value = cluster.read(key);
            assertTrue(value == null ? !live.contains(key) : live.contains(key) && md5Equals(values.get(key), value), key);
        }
        assertTrue(live.containsAll(putsAcknowledged));
        assertEquals(Set.of(), intersection(live, deletesAcknowledged));

        Set<Path> wanted = new HashSet<>();
        for (String key : live) {
            cluster.locations(key).forEach(location -> wanted.add(cluster.replicaFile(location, key)));
        }
        long settleBy = System.nanoTime() + SETTLING.toNanos();
        while (!wanted.equals(new HashSet<>(cluster.files())) && System.nanoTime() < settleBy) {
            Thread.sleep(200);
        }
        assertEquals(wanted, new HashSet<>(cluster.files()), "replicas of exactly the live keys");

        assertEquals(0, cluster.stopIndex(), "SIGTERM is an orderly stop");
        try (IndexStore store = IndexStore.open(cluster.db())) {
            assertEquals(List.of(), store.unsettled(), "PENDING or DELETING records left");
        }
    }

    /** The status, or -1 when the index is gone. */
    private static int status(Supplier<HttpResponse<byte[]>> request) {
        try {
            return request.get().statusCode();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static byte[] randomValue() {
        byte[] value = new byte[ThreadLocalRandom.current().nextInt(1, 64 * 1024)];
        ThreadLocalRandom.current().nextBytes(value);
        return value;
    }

    private static byte[] md5(byte[] value) {
        return value == null ? null : Placement.md5(value);
    }

    private static boolean md5Equals(byte[] md5, byte[] value) {
        return Arrays.equals(md5, Placement.md5(value));
    }

    private static Set<String> intersection(Set<String> a, Set<String> b) {
        Set<String> both = new HashSet<>(a);
        both.retainAll(b);
        return both;
    }
}
