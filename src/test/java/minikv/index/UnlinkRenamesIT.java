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
import minikv.testing.Await;
import minikv.testing.Cluster;
import minikv.testing.Http;
import minikv.testing.Listings;
import minikv.testing.VolumeFaults;
import minikv.testing.VolumeProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What UNLINK or RELINK cannot rename while a volume is away, the index renames once it is back,
 * with no verify --repair (and after a crash too: the key is recorded RENAMING meanwhile): every
 * file of an unlinked key ends under the unlinked name, where a rebuild reads it as unlinked.
 */
class UnlinkRenamesIT {

    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final byte[] VALUE = "a value to hide".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    Cluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void anUnlinkWhileAVolumeIsDownIsFinishedWhenItIsBack() throws Exception {
        VolumeProcess away = unlinkedWithAVolumeAway("/hidden", 0);

        cluster.restartVolume(away);

        awaitUnlinkedThenRelink("/hidden");
    }

    @Test
    void anUnlinkWhileAVolumeIsDownIsFinishedAfterAnIndexCrash() throws Exception {
        VolumeProcess away = unlinkedWithAVolumeAway("/crashed", 2);
        assertEquals(404, Http.get(cluster.url("/crashed")).statusCode(), "hidden at once");

        cluster.killIndex();
        cluster.restartVolume(away);
        cluster.startIndex();

        awaitUnlinkedThenRelink("/crashed");
    }

    @Test
    void aRelinkThatFailsHalfWayLeavesTheKeyUnlinkedOnEveryVolume() throws Exception {
        cluster = Cluster.start(dir, 3);
        assertEquals(201, Http.put(cluster.url("/half"), VALUE).statusCode());
        assertEquals(204, Http.send("UNLINK", cluster.url("/half")).statusCode());
        VolumeProcess away = cluster.volumes().get(1);
        away.stop();

        int relink = Http.send("RELINK", cluster.url("/half")).statusCode();
        assertTrue(relink == 502 || relink == 503, "RELINK with a volume down answered " + relink);
        cluster.restartVolume(away);

        awaitUnlinkedThenRelink("/half");
    }

    /**
     * The bug HistoryIT found after 9dc5832: a DELETE of a key left RENAMING deleted the files it
     * could reach without marking the key DELETING, so once the volume was back the settling
     * finished the UNLINK instead: the deleted key came back unlinked, short of those files,
     * and RELINK served it so.
     */
    @Test
    void aDeleteOfAKeyWhoseUnlinkCouldNotFinishDeletesItForGood() throws Exception {
        VolumeProcess away = unlinkedWithAVolumeAway("/undone", 0);

        int delete = Http.delete(cluster.url("/undone")).statusCode();
        cluster.restartVolume(away);

        assertTrue(delete == 502 || delete == 503, "DELETE with a volume down answered " + delete);
        assertTrue(Await.until(() -> cluster.replicaFiles("/undone").isEmpty(), PATIENCE),
                "every file deleted once the volume is back: " + cluster.replicaFiles("/undone"));
        assertEquals(List.of(), Listings.unlinked(cluster, "/undone"));
        assertEquals(404, Await.status(404, () -> Http.send("RELINK", cluster.url("/undone")), PATIENCE));
        assertEquals(404, Http.get(cluster.url("/undone")).statusCode());
    }

    /**
     * The bug HistoryIT found (9b04e5a): a RELINK renamed files while a hung volume still held an
     * earlier request about the key, which it could carry out after the RELINK once resumed and
     * so move a file back out of place. Now nothing is renamed until that volume has answered.
     */
    @Test
    void aRelinkRenamesNothingWhileAHungVolumeHoldsAnEarlierRequestAboutTheKey() throws Exception {
        cluster = Cluster.start(dir, 3);
        String key = "/held";
        assertEquals(201, Http.put(cluster.url(key), VALUE).statusCode());
        assertEquals(204, Http.send("UNLINK", cluster.url(key)).statusCode());
        try (VolumeFaults faults = new VolumeFaults()) {
            faults.hang(cluster.volume(cluster.locations(key).get(0)));
            // The PUT over the unlinked value first renames any live-name file away: that MOVE
            // reaches the hung volume and gets no answer.
            assertEquals(503, Http.put(cluster.url(key), "a new value".getBytes(StandardCharsets.UTF_8)).statusCode());

            int relink = Http.send("RELINK", cluster.url(key)).statusCode();

            assertEquals(503, relink, "RELINK while the hung volume has not answered");
            for (String location : cluster.locations(key).subList(1, 3)) {
                Path unlinked = Path.of(cluster.replicaFile(location, key) + ReplicaName.UNLINKED_SUFFIX);
                assertTrue(Files.exists(unlinked), "not renamed on a volume that is up: " + cluster.replicaFiles(key));
            }
        }
        awaitUnlinkedThenRelink(key);
    }

    /** Starts the cluster, stores {@code key}, stops one volume and UNLINKs the key (204); returns that volume. */
    private VolumeProcess unlinkedWithAVolumeAway(String key, int volume) {
        cluster = Cluster.start(dir, 3);
        assertEquals(201, Http.put(cluster.url(key), VALUE).statusCode());
        VolumeProcess away = cluster.volumes().get(volume);
        away.stop();
        assertEquals(204, Http.send("UNLINK", cluster.url(key)).statusCode());
        return away;
    }

    /**
     * Listed as unlinked and absent to reads, with every file under the unlinked name (the
     * settling renames them all); then RELINK brings the value back whole.
     */
    private void awaitUnlinkedThenRelink(String key) {
        boolean renamed = Await.until(() -> {
            List<Path> files = cluster.replicaFiles(key);
            return files.size() == 3 && files.stream().allMatch(p -> p.toString().endsWith(ReplicaName.UNLINKED_SUFFIX));
        }, PATIENCE);
        assertTrue(renamed, "every file of " + key + " under the unlinked name: " + cluster.replicaFiles(key));
        // A write that failed on the hung volume holds the key (unlisted) until the settling rolls it back.
        Await.until(() -> Listings.unlinked(cluster, key).equals(List.of(key)), PATIENCE);
        assertEquals(List.of(key), Listings.unlinked(cluster, key));
        assertEquals(404, Http.get(cluster.url(key)).statusCode());
        // 503 only while a volume that was hung has yet to answer its last request about the key.
        assertEquals(204, Await.status(204, () -> Http.send("RELINK", cluster.url(key)), PATIENCE));
        assertArrayEquals(VALUE, cluster.read(key));
    }
}
