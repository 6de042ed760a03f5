package minikv.tools;

import static minikv.tools.ToolsTesting.args;
import static minikv.tools.ToolsTesting.assertReadable;
import static minikv.tools.ToolsTesting.listAll;
import static minikv.tools.ToolsTesting.locations;
import static minikv.tools.ToolsTesting.populate;
import static minikv.tools.ToolsTesting.tool;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import minikv.placement.Placement;
import minikv.store.IndexStore;
import minikv.testing.Cluster;
import minikv.testing.Http;
import minikv.testing.VolumeProcess;
import minikv.tools.ToolsTesting.Model;
import minikv.tools.ToolsTesting.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rebuild} against real volumes: the new index equals the old one, and a minikeyvalue volume set is adopted. */
class RebuildIT {

    @TempDir
    Path dir;

    @Test
    void theRebuiltIndexEqualsWhatTheIndexKnew() throws IOException {
        try (Cluster cluster = Cluster.start(dir, 5, "--replicas", "2")) {
            Model model = populate(cluster, 300, 1);
            List<String> live = listAll(cluster, "list");
            List<String> unlinked = listAll(cluster, "unlinked");
            assertEquals(List.copyOf(model.live.keySet()), live);
            assertEquals(List.copyOf(model.unlinked.keySet()), unlinked);
            Map<String, String> locations = locations(cluster, model.live.keySet());
            cluster.stopIndex();

            Path rebuilt = dir.resolve("rebuilt");
            Run run = tool(args("rebuild", cluster.volumes(), "--db", rebuilt.toString()));
            assertEquals(0, run.exit(), run.output());
            assertTrue(run.output().contains("rebuild: 300 keys (270 live, 30 unlinked)") || run.output().contains(
                    String.format("(%d live, %d unlinked)", model.live.size(), model.unlinked.size())), run.output());
            assertFalse(Files.exists(dir.resolve("rebuilt.rebuilding")));
            try (IndexStore store = IndexStore.open(rebuilt)) { // from the listings: a DELETE's deadline needs it
                model.live.forEach((key, value) -> assertEquals(value.length, store.get(key.getBytes(StandardCharsets.UTF_8))
                        .details().size(), key));
            }

            Run again = tool(args("rebuild", cluster.volumes(), "--db", rebuilt.toString()));
            assertEquals(1, again.exit(), again.output());
            assertTrue(again.output().contains("refusing to write into " + rebuilt + ": it is not empty"), again.output());

            Files.move(cluster.db(), dir.resolve("original-db"));
            Files.move(rebuilt, cluster.db());
            cluster.startIndex();
            assertEquals(live, listAll(cluster, "list"));
            assertEquals(unlinked, listAll(cluster, "unlinked"));
            assertEquals(locations, locations(cluster, model.live.keySet()), "locations, in placement order");
            assertReadable(cluster, model);

            String hidden = model.unlinked.keySet().iterator().next();
            assertEquals(204, Http.send("RELINK", cluster.keyUrl(hidden)).statusCode());
            assertArrayEquals(model.unlinked.get(hidden), cluster.read(hidden));
            assertEquals(ToolsTesting.md5Hex(model.unlinked.get(hidden)),
                    Http.send("HEAD", cluster.keyUrl(hidden)).headers().firstValue("Content-Md5").orElse(null));

            // A volume that cannot be read: nothing is written, rather than an index that lacks its keys.
            List<String> liveNow = listAll(cluster, "list");
            List<String> unlinkedNow = listAll(cluster, "unlinked");
            VolumeProcess down = cluster.volumes().get(2);
            down.stop();
            Path partial = dir.resolve("partial");
            Run incomplete = tool(args("rebuild", cluster.volumes(), "--db", partial.toString()));
            assertEquals(1, incomplete.exit(), incomplete.output());
            assertTrue(incomplete.output().contains("NOT DONE"), incomplete.output());
            assertFalse(Files.exists(partial));
            Path checkpoint = dir.resolve("partial.rebuilding").resolve(RebuildCheckpoint.FILE);
            assertTrue(Files.exists(checkpoint), incomplete.output());

            // Run again once the volume is back, it resumes: here from no finished bucket, as the first
            // run could not list the volume's bucket directories (RebuildCheckpointTest has the rest).
            cluster.restartVolume(down);
            Run otherSettings = tool(args("rebuild", cluster.volumes(), "--db", partial.toString(), "--no-md5"));
            assertEquals(1, otherSettings.exit(), otherSettings.output());
            assertTrue(otherSettings.output().contains("was left by a rebuild with other settings"), otherSettings.output());
            Run resumed = tool(args("rebuild", cluster.volumes(), "--db", partial.toString()));
            assertEquals(0, resumed.exit(), resumed.output());
            assertTrue(resumed.output().contains("rebuild: resuming the rebuild stopped in"), resumed.output());
            assertTrue(resumed.output().contains(String.format("(%d live, %d unlinked)", liveNow.size(), unlinkedNow.size())),
                    resumed.output());
            assertFalse(Files.exists(dir.resolve("partial.rebuilding")));
            assertFalse(Files.exists(partial.resolve(RebuildCheckpoint.FILE)), "the new index carries no checkpoint");
            cluster.stopIndex();
            Files.move(cluster.db(), dir.resolve("first-rebuilt-db"));
            Files.move(partial, cluster.db());
            cluster.startIndex();
            assertEquals(liveNow, listAll(cluster, "list"));
            assertEquals(unlinkedNow, listAll(cluster, "unlinked"));
            assertEquals(locations, locations(cluster, model.live.keySet()), "locations, in placement order");
            assertArrayEquals(model.unlinked.get(hidden), cluster.read(hidden));
        }
    }

    @Test
    void aVolumeSetWrittenByMinikeyvalueIsAdoptedWithMd5s() throws IOException {
        try (Cluster cluster = Cluster.start(dir, 3, "--replicas", "2", "--subvolumes", "3")) {
            cluster.stopIndex();
            deleteTree(cluster.db());
            // Plain files at minikeyvalue's paths, straight onto the volumes' DIRs: no index, no metadata.
            Placement placement = new Placement(cluster.volumes().stream().map(VolumeProcess::address).toList(), 2, 3);
            Map<String, byte[]> values = new TreeMap<>();
            Random random = new Random(7);
            for (int i = 0; i < 150; i++) {
                String key = i % 3 == 0 ? "/a?b/" + i : "/mkv/" + i;
                byte[] value = new byte[1 + random.nextInt(2000)];
                random.nextBytes(value);
                values.put(key, value);
                byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
                // Every tenth key lost a replica (a volume's disk was replaced, say).
                for (String location : placement.locations(bytes).subList(0, i % 10 == 0 ? 1 : 2)) {
                    Path file = cluster.volume(location).dir().resolve(Placement.replicaPath(location, bytes).substring(1));
                    Files.createDirectories(file.getParent());
                    Files.write(file, value);
                }
            }
            Run run = tool(args("rebuild", cluster.volumes(), "--subvolumes", "3", "--db", cluster.db().toString()));
            assertEquals(0, run.exit(), run.output());
            assertTrue(run.output().contains("150 keys (150 live, 0 unlinked) from 285 files"), run.output());

            Run verify = tool(args("verify", cluster.volumes(), "--subvolumes", "3", "--db", cluster.db().toString()));
            assertEquals(1, verify.exit(), verify.output());
            assertTrue(verify.output().contains("damaged /a?b/0: only 1 of 2 replicas"), verify.output());
            assertTrue(verify.output().contains("15 damaged"), verify.output());
            Run repair = tool(args("verify", cluster.volumes(), "--subvolumes", "3", "--db", cluster.db().toString(), "--repair"));
            assertEquals(0, repair.exit(), repair.output());
            assertTrue(repair.output().contains("repaired /a?b/0: added the missing replicas: copy to "), repair.output());

            cluster.startIndex();
            Model model = new Model();
            model.live.putAll(values);
            assertReadable(cluster, model);
            assertEquals(List.copyOf(values.keySet()), listAll(cluster, "list"));
            for (String key : values.keySet()) {
                assertEquals(2, cluster.replicaFiles(key).size(), key);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
