package minikv.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import minikv.cluster.ReplicaName;
import minikv.ops.MinFree;
import minikv.ops.OpsConfig;
import minikv.placement.Placement;
import minikv.store.IndexStore;
import minikv.store.Record;
import minikv.testing.Await;
import minikv.testing.FakeVolume;
import minikv.testing.FreePorts;
import minikv.testing.Http;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index's write path, in process: the real server, store and volume client against fake
 * volumes (see {@link FakeVolume}) that fail on cue, where nginx could not be made to. Each case
 * is a failure the ITs can only approach: a replica refused after the others stored theirs, a
 * volume that takes a whole body and goes silent, a rollback that cannot reach a volume, and
 * what a crash left for startup to settle.
 */
class WritePathTest {

    private static final Duration VOLUME_TIMEOUT = Duration.ofMillis(200);
    /** The settler retries every 5 s. */
    private static final Duration SETTLED = Duration.ofSeconds(12);
    private static final byte[] VALUE = "a value".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    private List<FakeVolume> volumes;
    private IndexServer index;
    private int port;

    @BeforeEach
    void startVolumes() throws IOException {
        volumes = FakeVolume.start(3);
    }

    @AfterEach
    void stop() throws IOException {
        if (index != null) {
            index.close();
        }
        FakeVolume.closeAll(volumes);
    }

    @Test
    void aReplicaRefusedAfterTheOthersStoredTheirsIsRolledBackEverywhere() {
        startIndex();
        volumes.get(2).refuse("PUT", 507);

        assertEquals(502, put("/k").statusCode());

        assertNoFiles();
        assertEquals(404, Http.get(url("/k")).statusCode());
        volumes.get(2).refuse("PUT", 0);
        assertEquals(201, put("/k").statusCode(), "the key is free again");
        volumes.forEach(v -> assertEquals(1, v.files().size()));
    }

    /**
     * The defect this guards against: the rollback's DELETE, queued behind the PUT on the hung
     * volume, is served first when it resumes (404, "rolled back"), and then the PUT stores its
     * replica. So the volume resumes the moment a DELETE reaches it, newest request first.
     */
    @Test
    void aVolumeSilentAfterTheWholeBodyKeepsTheKeyPendingUntilItAnswers() throws Exception {
        startIndex();
        FakeVolume hung = volumes.get(1);
        hung.hang();

        CompletableFuture<HttpResponse<byte[]>> putting = CompletableFuture.supplyAsync(() -> put("/k"));
        // The rollback runs before the PUT is answered. No DELETE may reach the volume while its
        // PUT is unanswered; if one does, the volume resumes at once and serves it first.
        hung.awaitHeld("DELETE", Duration.ofSeconds(3));
        hung.resume(); // it now stores the PUT it held: the rollback must come after that
        HttpResponse<byte[]> failed = putting.get(10, TimeUnit.SECONDS);
        assertEquals(503, failed.statusCode(), text(failed));
        assertTrue(Await.until(() -> volumes.stream().allMatch(v -> v.files().isEmpty()), SETTLED), "no replica left anywhere");
        assertEquals(201, put("/k").statusCode(), "the key settled and written again");
        volumes.forEach(v -> assertArrayEquals(VALUE, v.files().values().iterator().next()));
    }

    @Test
    void whileAVolumeHasNotAnsweredTheKeyCannotBeWrittenAgain() {
        startIndex();
        FakeVolume hung = volumes.get(1);
        hung.hang();
        assertEquals(503, put("/k").statusCode());
        assertTrue(Await.until(() -> text(put("/k")).contains("has not answered it"), SETTLED), "a second PUT is told why");
        hung.resume();
    }

    /**
     * UNLINK records the key first and renames after; a rename the volume did not answer may
     * still happen, so nothing else changes the key until it has: a DELETE meanwhile could be
     * overtaken by the late rename and leave the renamed file behind.
     */
    @Test
    void anUnansweredRenameHoldsTheKeyUntilTheVolumeAnswers() throws Exception {
        startIndex();
        assertEquals(201, put("/k").statusCode());
        FakeVolume hung = volumes.get(0);
        hung.hang();

        assertEquals(204, Http.send("UNLINK", url("/k")).statusCode(), "the key is unlinked either way");
        HttpResponse<byte[]> delete = Http.delete(url("/k"));
        assertEquals(503, delete.statusCode(), text(delete));
        assertTrue(text(delete).contains("has not answered it"), text(delete));

        hung.resume();
        assertTrue(Await.until(() -> Http.delete(url("/k")).statusCode() == 204, SETTLED), "deleted once it answered");
        assertNoFiles();
    }

    @Test
    void aRollbackThatCannotReachAVolumeIsFinishedInTheBackground() {
        startIndex();
        volumes.get(2).refuse("PUT", 500);
        volumes.get(0).refuse("DELETE", 500);

        assertEquals(502, put("/k").statusCode());
        assertEquals(1, volumes.get(0).files().size(), "the rollback could not delete this one");
        assertEquals(404, Http.get(url("/k")).statusCode());

        volumes.get(0).refuse("DELETE", 0);
        assertTrue(Await.until(() -> volumes.stream().allMatch(v -> v.files().isEmpty()), SETTLED), "rolled back in the background");
        // The settler drops the record just after the files, under the key's claim (409 meanwhile).
        assertEquals(404, Await.unclaimed(() -> Http.delete(url("/k")), SETTLED), "no record left");
    }

    @Test
    void startupRollsBackAWriteACrashLeftAndRestoresTheUnlinkedValueItReplaced() {
        Placement placement = new Placement(addresses(), 3, 1);
        List<String> pendingAt = placement.locations(bytes("/p"));
        List<String> unlinkedAt = placement.locations(bytes("/u"));
        Record unlinked = Record.live(unlinkedAt, null).withState(Record.State.UNLINKED);
        try (IndexStore store = IndexStore.open(dir.resolve("db"))) {
            store.put(bytes("/p"), Record.pending(pendingAt));
            store.put(bytes("/u"), Record.pendingOver(unlinkedAt, unlinked));
        }
        for (String location : pendingAt) {
            volume(location).place(ReplicaName.path(location, bytes("/p"), false), VALUE);
        }
        for (String location : unlinkedAt) {
            volume(location).place(ReplicaName.path(location, bytes("/u"), false), bytes("the new value"));
            volume(location).place(ReplicaName.path(location, bytes("/u"), true), bytes("the unlinked value"));
        }

        startIndex();

        for (String location : unlinkedAt) {
            Map<String, byte[]> files = volume(location).files();
            assertEquals(List.of(ReplicaName.path(location, bytes("/u"), true)), List.copyOf(files.keySet()),
                    "only the unlinked value is left");
        }
        assertEquals("{\"next\":\"\",\"keys\":[\"/u\"]}", text(Http.get(url("/?unlinked"))));
        assertEquals(404, Http.get(url("/p")).statusCode());
        assertEquals(204, Http.send("RELINK", url("/u")).statusCode());
    }

    private void startIndex() {
        port = FreePorts.next();
        index = IndexServer.start(new IndexServer.Config(addresses(), "127.0.0.1", port, dir.resolve("db").toString(), 3, 1,
                null, false, VOLUME_TIMEOUT, true, Optional.empty(), false, Duration.ofSeconds(60), Duration.ofSeconds(5),
                Optional.empty()),
                new OpsConfig(null, MinFree.parse("0"), false, false));
    }

    private List<String> addresses() {
        return volumes.stream().map(FakeVolume::address).toList();
    }

    private FakeVolume volume(String location) {
        return volumes.stream().filter(v -> v.address().equals(Placement.volumeOf(location))).findFirst().orElseThrow();
    }

    private HttpResponse<byte[]> put(String key) {
        return Http.put(url(key), VALUE);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private void assertNoFiles() {
        for (FakeVolume v : volumes) {
            assertEquals(Map.of(), v.files(), v.address());
        }
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
