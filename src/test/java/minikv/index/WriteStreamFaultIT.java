package minikv.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import minikv.testing.AdminPort;
import minikv.testing.Cluster;
import minikv.testing.FreePorts;
import minikv.testing.Http;
import minikv.testing.VolumeFaults;
import minikv.testing.VolumeFaults.Fault;
import minikv.testing.VolumeProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Eight clients write small values while one volume of three goes away for three seconds
 * (stopped, hung, killed) and comes back. Every 201 reads back; every other PUT leaves no file
 * on any volume and no record, once the index has settled it; nothing stays pending.
 *
 * <p>The hung case is the one that found a defect: the index sent a whole PUT to the hung
 * volume, gave up waiting for its answer, and its rollback DELETE, queued behind it, reached the
 * disk first once the volume resumed. The PUT then stored its file, and the rollback had been
 * counted complete.
 */
class WriteStreamFaultIT {

    private static final int CLIENTS = 8;
    private static final Duration FAULT_LASTS = Duration.ofSeconds(3);
    /** Long enough for the settler (every 5 s) to roll back what waited for the volume. */
    private static final Duration SETTLE_PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    Cluster cluster;
    final VolumeFaults faults = new VolumeFaults();

    @AfterEach
    void stop() {
        faults.close();
        if (cluster != null) {
            cluster.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void failedWritesLeaveNothingOnceSettled(Fault fault) throws Exception {
        int adminPort = FreePorts.next();
        cluster = Cluster.start(dir, 3, "--admin-port", Integer.toString(adminPort));
        AdminPort admin = new AdminPort(adminPort);
        Map<String, Integer> answers = new ConcurrentHashMap<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            clients.submit(() -> {
                for (int n = 0; writing.get(); n++) {
                    String key = "/stream/" + client + "-" + n;
                    answers.put(key, Http.put(cluster.url(key), value(key)).statusCode());
                }
            });
        }
        VolumeProcess faulty = cluster.volumes().get(1);
        Thread.sleep(1000);
        faults.inflict(fault, faulty);
        Thread.sleep(FAULT_LASTS.toMillis());
        faults.recover(fault, faulty, cluster);
        Thread.sleep(2000);
        writing.set(false);
        clients.shutdown();
        assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS), "the clients finished");

        Set<String> acknowledged = new HashSet<>();
        answers.forEach((key, status) -> {
            assertTrue(status == 201 || status == 503 || status == 502, key + " answered " + status);
            if (status == 201) {
                acknowledged.add(key);
            }
        });
        assertTrue(acknowledged.size() > CLIENTS, "writes went through before and after the fault: " + acknowledged.size());
        assertTrue(acknowledged.size() < answers.size(), "some writes failed while the volume was away");

        admin.awaitMetric("minikv_keys{state=\"pending\"}", pending -> pending == 0, SETTLE_PATIENCE);
        Set<Path> wanted = new HashSet<>();
        for (String key : acknowledged) {
            cluster.locations(key).forEach(l -> wanted.add(cluster.replicaFile(l, key)));
        }
        long deadline = System.nanoTime() + SETTLE_PATIENCE.toNanos();
        while (!wanted.equals(new HashSet<>(cluster.files())) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        Set<Path> stray = new HashSet<>(cluster.files());
        stray.removeAll(wanted);
        assertEquals(Set.of(), stray, "files of PUTs that failed");
        assertEquals(wanted, new HashSet<>(cluster.files()), "every acknowledged replica");
        assertEquals(List.of(), cluster.partialUploads(), "PUT bodies left in a volume's temp directory");
        for (String key : answers.keySet()) {
            HttpResponse<byte[]> read = Http.get(cluster.url(key));
            if (acknowledged.contains(key)) {
                assertArrayEquals(value(key), cluster.read(key), key);
            } else {
                assertEquals(404, read.statusCode(), key + " failed and reads as absent");
            }
        }
        assertEquals(0.0, admin.metric("minikv_keys{state=\"pending\"}"));
    }

    private static byte[] value(String key) {
        return (key + " ").repeat(1 + 1000 / key.length()).getBytes(StandardCharsets.UTF_8);
    }
}
