package minikv.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import minikv.testing.Await;
import minikv.testing.Cluster;
import minikv.testing.Http;
import minikv.testing.Postgres;
import minikv.testing.VolumeFaults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two index processes on one PostgreSQL database and the same volumes: one store, whichever
 * process a client reaches. Racing writes of a key through both, one of them killed mid-write.
 */
class SharedIndexIT {

    @RegisterExtension
    static final Postgres postgres = new Postgres();

    @Test
    void ofTwoPutsOfOneKeyThroughTwoProcessesExactlyOneWinsAndBothServeIt(@TempDir Path dir) throws Exception {
        String db = postgres.newDatabase();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Cluster cluster = Cluster.startOn(db, dir, 3)) {
            Cluster.OtherIndex other = cluster.addIndex();
            for (int round = 0; round < 30; round++) {
                String key = "/race/" + round;
                byte[] first = ("first " + round).getBytes(StandardCharsets.UTF_8);
                byte[] second = ("second " + round).getBytes(StandardCharsets.UTF_8);
                CyclicBarrier start = new CyclicBarrier(2);
                Future<Integer> a = pool.submit(() -> {
                    start.await();
                    return Http.put(cluster.url(key), first).statusCode();
                });
                Future<Integer> b = pool.submit(() -> {
                    start.await();
                    return Http.put(other.url(key), second).statusCode();
                });
                int sa = a.get();
                int sb = b.get();
                assertEquals(1, (sa == 201 ? 1 : 0) + (sb == 201 ? 1 : 0), key + ": answers " + sa + " and " + sb);
                assertTrue(Set.of(403, 409).contains(sa == 201 ? sb : sa), key + ": the loser's answer, " + sa + " and " + sb);
                byte[] winner = sa == 201 ? first : second;
                assertArrayEquals(winner, cluster.read(key), key + " through the first process");
                assertArrayEquals(winner, other.read(key), key + " through the second");
            }

            byte[] value = "one store".getBytes(StandardCharsets.UTF_8);
            assertEquals(201, Http.put(cluster.url("/shared/k"), value).statusCode());
            assertEquals(403, Http.put(other.url("/shared/k"), value).statusCode(), "no overwrite through the other");
            assertEquals(204, Http.send("UNLINK", other.url("/shared/k")).statusCode());
            assertEquals(404, Http.get(cluster.url("/shared/k")).statusCode());
            assertEquals(204, Http.send("RELINK", cluster.url("/shared/k")).statusCode());
            assertArrayEquals(value, other.read("/shared/k"));
            assertEquals(204, Http.delete(other.url("/shared/k")).statusCode());
            assertEquals(404, Http.get(cluster.url("/shared/k")).statusCode());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void killingOneMidWriteLosesNoAcknowledgedWriteAndTheOtherSettlesItsKeys(@TempDir Path dir) throws Exception {
        String db = postgres.newDatabase();
        ExecutorService writers = Executors.newFixedThreadPool(4);
        try (Cluster cluster = Cluster.startOn(db, dir, 3)) {
            Cluster.OtherIndex survivor = cluster.addIndex();
            Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            try (Socket half = new Socket("127.0.0.1", URI.create(cluster.url("/")).getPort())) {
                // A write the first process has recorded PENDING, half its body sent.
                OutputStream out = half.getOutputStream();
                out.write(("PUT /killed/half HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + (1 << 20) + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[512 * 1024]);
                out.flush();
                assertTrue(Await.until(() -> unsettled(db) == 1, Duration.ofSeconds(10)), "the half write is recorded");
                assertEquals(409, Http.put(survivor.url("/killed/half"), new byte[] {1}).statusCode(),
                        "the first process's write, while it runs");

                List<Future<?>> running = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    int writer = w;
                    running.add(writers.submit(() -> write(writer, cluster, survivor, acknowledged, stop)));
                }
                Await.pause(Duration.ofSeconds(1));
                cluster.killIndex();
                Await.pause(Duration.ofSeconds(1));
                stop.set(true);
                for (Future<?> f : running) {
                    f.get();
                }
            }
            assertTrue(acknowledged.size() > 10, "writes acknowledged: " + acknowledged.size());
            for (Map.Entry<String, byte[]> acked : acknowledged.entrySet()) {
                assertArrayEquals(acked.getValue(), survivor.read(acked.getKey()), acked.getKey() + " answered 201");
            }
            assertTrue(Await.until(() -> unsettled(db) == 0, Duration.ofSeconds(40)),
                    "the survivor settles the killed process's writes once its lease runs out; left: " + unsettled(db));
            assertEquals(404, Http.get(survivor.url("/killed/half")).statusCode());
            assertTrue(Await.until(() -> cluster.files().size() == 3 * live(db), Duration.ofSeconds(10)),
                    "no replica but those of live keys: " + cluster.files().size() + " files, " + live(db) + " keys");
        } finally {
            writers.shutdownNow();
        }
    }

    /**
     * A DELETE through one process fails with a volume down and leaves the key DELETING, owned by
     * that process, which runs on: the other process cannot touch it (409), so the owner must
     * finish it itself once the volume is back, with no retry through it.
     */
    @Test
    void aDeleteThatFailedIsFinishedByItsOwnProcessNotLeftForARetry(@TempDir Path dir) throws Exception {
        String db = postgres.newDatabase();
        try (Cluster cluster = Cluster.startOn(db, dir, 3)) {
            Cluster.OtherIndex other = cluster.addIndex();
            assertEquals(201, Http.put(cluster.url("/failed/delete"), new byte[] {7}).statusCode());
            var away = cluster.volumes().get(0);
            away.stop();
            int failed = Http.delete(cluster.url("/failed/delete")).statusCode();
            assertTrue(failed == 502 || failed == 503, "DELETE with a volume down answered " + failed);
            assertEquals(409, Http.delete(other.url("/failed/delete")).statusCode(), "the owner's DELETING key, while it runs");

            cluster.restartVolume(away);

            assertEquals(404, Await.status(404, () -> Http.delete(other.url("/failed/delete")), Duration.ofSeconds(20)),
                    "the owner finishes the DELETE in the background");
            assertEquals(0, unsettled(db));
            assertEquals(List.of(), cluster.replicaFiles("/failed/delete"));
        }
    }

    /**
     * An UNLINK through one process cannot finish its renames (a volume hangs): the key is
     * RENAMING, held by that process, so the other one changes nothing of it (409) rather than
     * write or rename files that a late rename could then move away. Once the volume answers,
     * the owner finishes the UNLINK, and the other process can RELINK the key.
     */
    @Test
    void whileAnUnlinkCannotFinishItsRenamesTheOtherProcessLeavesTheKeyAlone(@TempDir Path dir) throws Exception {
        String db = postgres.newDatabase();
        byte[] value = "renamed while held".getBytes(StandardCharsets.UTF_8);
        try (Cluster cluster = Cluster.startOn(db, dir, 3)) {
            Cluster.OtherIndex other = cluster.addIndex();
            assertEquals(201, Http.put(cluster.url("/renaming/k"), value).statusCode());
            try (VolumeFaults faults = new VolumeFaults()) {
                faults.hang(cluster.volumes().get(0));
                assertEquals(204, Http.send("UNLINK", cluster.url("/renaming/k")).statusCode(), "hidden, renames or not");
                assertEquals(404, Http.get(other.url("/renaming/k")).statusCode());
                assertEquals(409, Http.put(other.url("/renaming/k"), new byte[] {1}).statusCode());
                assertEquals(409, Http.send("RELINK", other.url("/renaming/k")).statusCode());
                assertEquals(409, Http.delete(other.url("/renaming/k")).statusCode());
            }
            assertEquals(204, Await.status(204, () -> Http.send("RELINK", other.url("/renaming/k")), Duration.ofSeconds(20)));
            assertArrayEquals(value, other.read("/renaming/k"));
            assertTrue(cluster.replicaFiles("/renaming/k").stream().noneMatch(p -> p.toString().endsWith(".unlinked")),
                    "every file has the live name: " + cluster.replicaFiles("/renaming/k"));
        }
    }

    /** PUTs fresh keys through both processes (the first dies meanwhile) until told to stop. */
    private static Void write(int writer, Cluster cluster, Cluster.OtherIndex survivor, Map<String, byte[]> acknowledged,
            AtomicBoolean stop) {
        for (int i = 0; !stop.get(); i++) {
            String key = "/killed/w" + writer + "/" + i;
            byte[] value = Arrays.copyOf(key.getBytes(StandardCharsets.UTF_8), 64 * 1024);
            String url = i % 2 == 0 ? cluster.url(key) : survivor.url(key);
            try {
                if (Http.put(url, value).statusCode() == 201) {
                    acknowledged.put(key, value);
                }
            } catch (RuntimeException e) {
                // the first process is gone: no answer, so nothing acknowledged
            }
        }
        return null;
    }

    private static long unsettled(String db) {
        return count(db, "SELECT count(*) FROM minikv_records WHERE state IN (1, 4)");
    }

    private static long live(String db) {
        return count(db, "SELECT count(*) FROM minikv_records WHERE state = 2");
    }

    private static long count(String db, String sql) {
        try (Connection c = DriverManager.getConnection("jdbc:" + db); Statement s = c.createStatement();
             ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
