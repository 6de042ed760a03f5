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
 * Two index processes sharing a store, where what one process knows only in its memory (a
 * volume's unanswered request about a key) must keep the other off the key: two index servers
 * in process on a real PostgreSQL, against fake volumes that hang on cue (see {@link FakeVolume}).
 * Each case is a bug SharedHistoryIT found.
 */
class SharedWritePathTest {

    private static final Duration VOLUME_TIMEOUT = Duration.ofMillis(500);
    /** The settler retries every 5 s; the sweep follows 2 s after a background rollback. */
    private static final Duration SETTLED = Duration.ofSeconds(12);
    private static final byte[] KEY = "/k".getBytes(StandardCharsets.UTF_8);
    private static final byte[] VALUE = "the other process's value".getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    static final Postgres postgres = new Postgres();

    private List<FakeVolume> volumes;
    private final List<IndexServer> servers = new ArrayList<>();

    @BeforeEach
    void startVolumes() throws IOException {
        volumes = FakeVolume.start(3);
    }

    @AfterEach
    void stop() throws IOException {
        servers.forEach(IndexServer::close);
        FakeVolume.closeAll(volumes);
    }

    /**
     * 3c510fd: the sweep of a write rolled back in the background (its replicas deleted once
     * more, 2 s later, for a hung volume that stores the PUT late) checked the record, then
     * deleted; the other process could write the key in between and lose its files to those
     * DELETEs. Now the sweep holds the key as the rolled-back write while it deletes.
     */
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
        assertNewValueOnEveryVolume();
        assertEquals(302, Http.get(sweeping + "/k").statusCode(), "served through both processes");
    }

    /**
     * A PUT over an unlinked value first renames any live-name file away; when that MOVE got no
     * answer, the PUT gave the key back to the unlinked record at once, and the other process
     * could write it: the stalled MOVE, carried out later, then renamed the new value's file
     * away (an acknowledged write lost). Now the key stays the failed PUT's until the volume
     * has answered.
     */
    @Test
    void anotherProcessCannotWriteTheKeyWhileARenameOfAFailedPutIsUnanswered() throws Exception {
        String db = postgres.newDatabase();
        String failing = startIndex(db);
        String other = startIndex(db);
        assertEquals(201, Http.put(failing + "/k", "the unlinked value".getBytes(StandardCharsets.UTF_8)).statusCode());
        assertEquals(204, Http.send("UNLINK", failing + "/k").statusCode());
        FakeVolume stalled = volumes.get(2);

        stalled.hang();
        assertEquals(503, Http.put(failing + "/k", "failed".getBytes(StandardCharsets.UTF_8)).statusCode());
        assertTrue(stalled.awaitHeld("MOVE", Duration.ofSeconds(1)), "its rename is held");
        stalled.serveNewRequests(); // the stalled MOVE stays held; the volume serves everything else

        int meanwhile = Http.put(other + "/k", VALUE).statusCode();

        assertEquals(409, meanwhile, "the key is still the failed PUT's");
        stalled.resume();
        assertEquals(201, Await.status(201, () -> Http.put(other + "/k", VALUE), SETTLED), "free once the MOVE is answered");
        assertNewValueOnEveryVolume();
    }

    private void assertNewValueOnEveryVolume() {
        for (FakeVolume v : volumes) {
            assertEquals(List.of(VALUE.length), v.files().values().stream().map(b -> b.length).toList(), v.address());
            assertArrayEquals(VALUE, v.files().values().iterator().next());
        }
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
