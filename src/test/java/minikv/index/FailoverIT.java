package minikv.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import minikv.testing.Await;
import minikv.testing.Cluster;
import minikv.testing.Http;
import minikv.testing.Postgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two index processes on PostgreSQL with a synchronous standby, under a steady load of writes
 * and reads, while the primary is killed and the standby promoted: no acknowledged write is
 * lost, requests meanwhile get 503 (never a wrong answer), and both processes carry on without a
 * restart. Prints how long no write succeeded.
 */
class FailoverIT {

    @RegisterExtension
    static final Postgres postgres = Postgres.withStandby();

    @Test
    void killingThePrimaryAndPromotingTheStandbyLosesNoAcknowledgedWrite(@TempDir Path dir) throws Exception {
        String db = postgres.newDatabase();
        ExecutorService clients = Executors.newFixedThreadPool(6);
        try (Cluster cluster = Cluster.startOn(db, dir, 3)) {
            Cluster.OtherIndex other = cluster.addIndex();
            List<String> indexes = List.of(cluster.url(""), other.url(""));
            Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
            ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
            AtomicLong unavailable = new AtomicLong();
            AtomicLong lastAck = new AtomicLong(System.nanoTime());
            AtomicLong longestGap = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                running.add(clients.submit(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        String key = "/failover/w" + writer + "/" + i;
                        byte[] value = key.getBytes(StandardCharsets.UTF_8);
                        int status = Http.put(indexes.get(i % 2) + key, value).statusCode();
                        if (status == 201) {
                            acknowledged.put(key, value);
                            long now = System.nanoTime();
                            long gap = now - lastAck.getAndSet(now);
                            longestGap.accumulateAndGet(gap, Math::max);
                        } else if (status == 503) {
                            unavailable.incrementAndGet();
                            Await.pause(Duration.ofMillis(50));
                        } else {
                            wrong.add("PUT " + key + ": " + status);
                        }
                    }
                    return null;
                }));
            }
            for (int r = 0; r < 2; r++) {
                running.add(clients.submit(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        List<String> keys = List.copyOf(acknowledged.keySet());
                        if (keys.isEmpty()) {
                            Await.pause(Duration.ofMillis(10));
                            continue;
                        }
                        String key = keys.get(i % keys.size());
                        int status = Http.get(indexes.get(i % 2) + key).statusCode();
                        if (status == 503) {
                            unavailable.incrementAndGet();
                            Await.pause(Duration.ofMillis(50));
                        } else if (status != 302) {
                            wrong.add("GET " + key + " (acknowledged): " + status);
                        }
                    }
                    return null;
                }));
            }
            Await.pause(Duration.ofSeconds(3));
            int before = acknowledged.size();
            postgres.killPrimary();
            Await.pause(Duration.ofSeconds(2));
            postgres.promoteStandby();
            assertTrue(Await.until(() -> acknowledged.size() > before + 200, Duration.ofSeconds(60)),
                    "writes resumed after the failover: " + (acknowledged.size() - before) + " since the kill");
            stop.set(true);
            for (Future<?> f : running) {
                f.get();
            }

            int lost = 0;
            for (Map.Entry<String, byte[]> acked : acknowledged.entrySet()) {
                HttpResponse<byte[]> redirect = Http.get(indexes.get(lost % 2) + acked.getKey());
                if (redirect.statusCode() != 302
                        || !java.util.Arrays.equals(acked.getValue(), Http.get(redirect.headers().firstValue("Location").orElseThrow()).body())) {
                    lost++;
                }
            }
            System.out.printf("failover: %.1f s without an acknowledged write; %d writes acknowledged, %d lost;"
                            + " %d requests answered 503 meanwhile%n", longestGap.get() / 1e9, acknowledged.size(), lost,
                    unavailable.get());
            assertEquals(List.of(), List.copyOf(wrong), "answers other than 201, 302 or 503");
            assertEquals(0, lost, "acknowledged writes lost");
            assertTrue(unavailable.get() > 0, "requests during the switch were told 503");
            byte[] after = "after".getBytes(StandardCharsets.UTF_8);
            assertEquals(201, Http.put(other.url("/failover/after"), after).statusCode(), "both processes carry on");
            assertArrayEquals(after, cluster.read("/failover/after"));
        } finally {
            clients.shutdownNow();
        }
    }
}
