package minikv.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import minikv.cluster.ReplicaName;
import minikv.ops.MinFree;
import minikv.ops.OpsConfig;
import minikv.placement.Placement;
import minikv.testing.Await;
import minikv.testing.FakeVolume;
import minikv.testing.FreePorts;
import minikv.testing.Http;
import minikv.testing.Postgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bug SharedHistoryIT found (3c510fd): the sweep of a write rolled back in the background
 * (its replicas deleted once more, 2 s later, for a hung volume that stores the PUT late)
 * checked the record, then deleted. Another index process sharing the store could write the
 * key in between, and the sweep's DELETEs then removed that write's files. Now the sweep holds
 * the key as the rolled-back write while it deletes. Two index servers in process on a real
 * PostgreSQL, against fake volumes that hang on cue (see {@link FakeVolume}).
 */
class SharedSweepTest {

    private static final Duration VOLUME_TIMEOUT = Duration.ofMillis(500);
    /** The settler retries every 5 s; the sweep follows 2 s after a background rollback. */
    private static final Duration SETTLED = Duration.ofSeconds(12);
    private static final byte[] KEY = "/k".getBytes(StandardCharsets.UTF_8);
    private static final byte[] VALUE = "the other process's value".getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    static final Postgres postgres = new Postgres();

    private final List<FakeVolume> volumes = new ArrayList<>();
    private final List<IndexServer> servers = new ArrayList<>();

    @BeforeEach
    void startVolumes() throws IOException {
        for (int i = 0; i < 3; i++) {
            volumes.add(FakeVolume.start());
        }
    }

    @AfterEach
    void stop() throws IOException {
        servers.forEach(IndexServer::close);
        for (FakeVolume v : volumes) {
            v.close();
        }
    }

    @Test
    void anotherProcessCannotWriteTheKeyWhileTheSweepDeletesItsFiles() throws Exception {
        String db = postgres.newDatabase();
        String sweeping = startIndex(db);
        String other = startIndex(db);
        FakeVolume hung = volumes.get(1);

        // A PUT whose whole body the hung volume holds: its rollback waits, then runs in the background.
        hung.hang();
        assertEquals(503, Http.put(sweeping + "/k", "rolled back".getBytes(StandardCharsets.UTF_8)).statusCode());
        hung.resume(); // it stores the PUT and answers; the settling then deletes every replica
        String location = new Placement(addresses(), 3, 1).locations(KEY).stream()
                .filter(l -> Placement.volumeOf(l).equals(hung.address())).findFirst().orElseThrow();
        String path = ReplicaName.path(location, KEY, false);
        assertTrue(Await.until(() -> !hung.stored(path).isEmpty() && volumes.stream().allMatch(v -> v.files().isEmpty()),
                SETTLED), "rolled back in the background");
        hung.hang(); // the sweep, 2 s later, finds the volume hung again
        assertTrue(hung.awaitHeld("DELETE", Duration.ofSeconds(5)), "the sweep deletes once more");

        int meanwhile = Http.put(other + "/k", VALUE).statusCode();

        assertEquals(409, meanwhile, "the key is held by the sweeping process");
        hung.resume();
        assertEquals(201, Await.status(201, () -> Http.put(other + "/k", VALUE), SETTLED), "free once the sweep is done");
        for (FakeVolume v : volumes) {
            assertEquals(List.of(VALUE.length), v.files().values().stream().map(b -> b.length).toList(), v.address());
            assertArrayEquals(VALUE, v.files().values().iterator().next());
        }
        assertEquals(302, Http.get(sweeping + "/k").statusCode(), "served through both processes");
    }

    private List<String> addresses() {
        return volumes.stream().map(FakeVolume::address).toList();
    }

    /** An index server on {@code db} and the fake volumes; returns its base URL. */
    private String startIndex(String db) {
        int port = FreePorts.next();
        servers.add(IndexServer.start(new IndexServer.Config(addresses(), "127.0.0.1", port, db, 3, 1,
                null, false, VOLUME_TIMEOUT, true, Optional.empty(), false, Duration.ofSeconds(60), Duration.ofSeconds(5),
                Optional.empty()),
                new OpsConfig(null, MinFree.parse("0"), false, false)));
        return "http://127.0.0.1:" + port;
    }
}
