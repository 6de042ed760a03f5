package minikv.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import minikv.cluster.ReplicaName;
import minikv.testing.AdminPort;
import minikv.testing.Await;
import minikv.testing.Cluster;
import minikv.testing.FreePorts;
import minikv.testing.Http;
import minikv.testing.Listings;
import minikv.testing.RawHttp;
import minikv.testing.VolumeProcess;
import minikv.testing.VolumeTemplates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PUT over an unlinked key replaces it only if it succeeds: a PUT that fails, however it
 * fails, leaves the unlinked value as it was, listed under {@code ?unlinked} and brought back
 * by RELINK. (It used to erase the unlinked value with the failed write.) A PUT that succeeds
 * leaves none of the unlinked value's files, even where a volume could not delete them at once
 * and the index crashed before it could try again (HistoryIT found those left as strays).
 */
class UnlinkedReplaceIT {

    private static final Duration PATIENCE = Duration.ofSeconds(15);
    private static final byte[] OLD = "the unlinked value".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NEW = "the new value".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    Cluster cluster;
    AdminPort admin;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** One volume refuses the new value's replica (502) after the others stored theirs. */
    @Test
    void aPutThatAVolumeRefusesLeavesTheUnlinkedValue() throws Exception {
        start();
        unlinked("/refused");
        refusePuts(cluster.volumes().get(2));

        assertEquals(502, Http.put(cluster.url("/refused"), bytes("the new value")).statusCode());

        assertUnlinkedValueIntact("/refused");
    }

    /**
     * The same, where a file of the unlinked key has the live name, as a rebuild may find one
     * (an UNLINK interrupted before the index could record its renames): the PUT gives it the
     * unlinked name before writing, so the new value does not overwrite it.
     */
    @Test
    void aPutAfterAnInterruptedUnlinkLeavesTheUnlinkedValue() throws Exception {
        start();
        unlinked("/interrupted");
        VolumeProcess away = cluster.volumes().get(0);
        String onAway = cluster.locations("/interrupted").stream()
                .filter(l -> l.startsWith(away.address())).findFirst().orElseThrow();
        Path live = cluster.replicaFile(onAway, "/interrupted");
        Files.move(live.resolveSibling(live.getFileName() + ReplicaName.UNLINKED_SUFFIX), live);
        refusePuts(cluster.volumes().get(2));

        assertEquals(502, Http.put(cluster.url("/interrupted"), bytes("the new value")).statusCode());

        assertUnlinkedValueIntact("/interrupted");
    }

    /** The index is killed half-way through the new value's body, then restarted. */
    @Test
    void aPutCutShortByAnIndexCrashLeavesTheUnlinkedValue() throws Exception {
        start();
        unlinked("/crashed");
        RawHttp upload = RawHttp.connect(cluster.url("/"));
        upload.send(RawHttp.putHead("/crashed", 1 << 20)).send(new byte[512 * 1024]);
        assertEquals(409, Await.status(409, () -> Http.send("UNLINK", cluster.url("/crashed")), PATIENCE),
                "the PUT holds the key");
        admin.awaitMetric("minikv_keys{state=\"pending\"}", pending -> pending == 1, PATIENCE);

        cluster.killIndex();
        upload.close();
        cluster.startIndex();

        assertUnlinkedValueIntact("/crashed");
    }

    /** A volume refuses to DELETE the unlinked value's file once the new value is stored. */
    @Test
    void theUnlinkedValuesFilesGoOnceTheVolumeDeletesAgain() throws Exception {
        start();
        unlinked("/leftover");
        VolumeProcess refusing = refuseDeletes(cluster.volumes().get(1));

        assertEquals(201, Http.put(cluster.url("/leftover"), NEW).statusCode());
        assertArrayEquals(NEW, cluster.read("/leftover"));
        assertEquals(1, unlinkedFiles("/leftover").size(), "kept where the DELETE was refused");
        takeDeletes(refusing);

        assertTrue(Await.until(() -> unlinkedFiles("/leftover").isEmpty(), PATIENCE),
                "deleted in the background: " + unlinkedFiles("/leftover"));
        assertArrayEquals(NEW, cluster.read("/leftover"));
    }

    /** The same, and the index is killed before it could try again: its startup deletes the file. */
    @Test
    void theUnlinkedValuesFilesGoAfterAnIndexCrash() throws Exception {
        start();
        unlinked("/crashed-leftover");
        VolumeProcess refusing = refuseDeletes(cluster.volumes().get(1));
        assertEquals(201, Http.put(cluster.url("/crashed-leftover"), NEW).statusCode());

        cluster.killIndex();
        takeDeletes(refusing);
        cluster.startIndex();

        assertEquals(List.of(), unlinkedFiles("/crashed-leftover"), "deleted before the index serves");
        assertArrayEquals(NEW, cluster.read("/crashed-leftover"));
    }

    private void start() {
        int adminPort = FreePorts.next();
        cluster = Cluster.start(dir, 3, "--admin-port", Integer.toString(adminPort));
        admin = new AdminPort(adminPort);
    }

    private void unlinked(String key) {
        assertEquals(201, Http.put(cluster.url(key), OLD).statusCode());
        assertEquals(204, Http.send("UNLINK", cluster.url(key)).statusCode());
    }

    /** Restarts {@code volume} with a template whose WebDAV takes no PUT, and waits until the index sees it up. */
    private void refusePuts(VolumeProcess volume) {
        withDavMethods(volume, "DELETE MOVE COPY");
    }

    /** Restarts {@code volume} with a template whose WebDAV takes no DELETE. */
    private VolumeProcess refuseDeletes(VolumeProcess volume) {
        return withDavMethods(volume, "PUT MOVE COPY");
    }

    private VolumeProcess withDavMethods(VolumeProcess volume, String methods) {
        volume.stop();
        Path template = VolumeTemplates.builtInWith(dir.resolve("dav-" + methods.replace(' ', '-') + ".conf"),
                "dav_methods PUT DELETE MOVE COPY;", "dav_methods " + methods + ";");
        VolumeProcess restarted = cluster.restartVolume(volume, "--template", template.toString());
        admin.awaitMetric(up(restarted), up -> up == 1, PATIENCE);
        return restarted;
    }

    /** Restarts {@code volume} with the built-in template. */
    private void takeDeletes(VolumeProcess volume) {
        volume.stop();
        cluster.restartVolume(volume);
    }

    private List<Path> unlinkedFiles(String key) {
        return cluster.replicaFiles(key).stream().filter(p -> p.toString().endsWith(ReplicaName.UNLINKED_SUFFIX)).toList();
    }

    private static String up(VolumeProcess volume) {
        return "minikv_volume_up{volume=\"" + volume.address() + "\"}";
    }

    /** Listed as unlinked, every replica under the unlinked name and none under the live one; RELINK brings it back. */
    private void assertUnlinkedValueIntact(String key) throws Exception {
        assertEquals(List.of(key), Listings.unlinked(cluster, key));
        assertEquals(404, Http.get(cluster.url(key)).statusCode());
        for (String location : cluster.locations(key)) {
            Path live = cluster.replicaFile(location, key);
            Path unlinked = live.resolveSibling(live.getFileName() + ReplicaName.UNLINKED_SUFFIX);
            assertArrayEquals(OLD, Files.readAllBytes(unlinked), unlinked.toString());
            assertTrue(Files.notExists(live), "no live-name file at " + location);
        }
        admin.awaitMetric("minikv_keys{state=\"pending\"}", pending -> pending == 0, PATIENCE);
        assertEquals(204, Http.send("RELINK", cluster.url(key)).statusCode());
        assertArrayEquals(OLD, cluster.read(key));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
