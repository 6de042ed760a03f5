package minikv.tools;

import static minikv.tools.ToolsTesting.args;
import static minikv.tools.ToolsTesting.tool;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import minikv.placement.Placement;
import minikv.testing.Cluster;
import minikv.testing.Http;
import minikv.testing.VolumeProcess;
import minikv.tools.ToolsTesting.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Symbolic links inside a volume's directory (placed there by someone with write access to it)
 * never lead out of it: the volume serves and lists only what is below its root without a link,
 * and {@code rebuild} skips a linked replica and says so instead of adopting it as a value.
 */
class SymlinkIT {

    private static final byte[] SECRET = "outside the volume".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void aVolumeServesNothingThroughALink() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.write(outside.resolve("passwd"), SECRET);
        try (VolumeProcess volume = VolumeProcess.start(dir.resolve("volume"))) {
            Files.createSymbolicLink(volume.dir().resolve("linked"), outside);
            Files.createDirectories(volume.dir().resolve("aa/bb"));
            Files.createSymbolicLink(volume.dir().resolve("aa/bb/file"), outside.resolve("passwd"));

            HttpResponse<byte[]> throughDirectory = Http.get(volume.url("/linked/passwd"));
            assertEquals(404, throughDirectory.statusCode());
            assertEquals(404, Http.get(volume.url("/linked/")).statusCode(), "no listing through a link");
            HttpResponse<byte[]> linkedFile = Http.get(volume.url("/aa/bb/file"));
            assertEquals(403, linkedFile.statusCode());
            assertEquals("link", linkedFile.headers().firstValue("Minikv-Refusal").orElse(""));
            assertEquals("a symbolic link, which this volume does not serve\n",
                    new String(linkedFile.body(), StandardCharsets.UTF_8));
            assertEquals("link", Http.send("HEAD", volume.url("/aa/bb/file")).headers()
                    .firstValue("Minikv-Refusal").orElse(""), "a HEAD tells a link too");
        }
    }

    @Test
    void rebuildSkipsALinkedReplicaAndCountsIt() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.write(outside.resolve("secret"), SECRET);
        try (Cluster cluster = Cluster.start(dir, 3, "--replicas", "2")) {
            assertEquals(201, Http.put(cluster.url("/real"), "real".getBytes(StandardCharsets.UTF_8)).statusCode());
            // A link named as the replica of a key that was never written, on a volume it would be placed on.
            String planted = "/planted";
            String location = cluster.locations(planted).get(0);
            Path link = cluster.replicaFile(location, planted);
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, outside.resolve("secret"));
            Path linkedDirectory = cluster.volume(location).dir().resolve(
                    Placement.replicaPath(location, planted.getBytes(StandardCharsets.UTF_8)).substring(1)).getParent()
                    .resolveSibling("ff");
            Files.createSymbolicLink(linkedDirectory, outside);
            cluster.stopIndex();

            Path rebuilt = dir.resolve("rebuilt");
            Run run = tool(args("rebuild", cluster.volumes(), "--db", rebuilt.toString()));

            assertEquals(0, run.exit(), run.output());
            assertTrue(run.output().contains("rebuild: 1 keys (1 live, 0 unlinked)"), run.output());
            assertTrue(run.output().contains("skipped 1 symbolic links and 1 listed directories"), run.output());
            Files.move(cluster.db(), dir.resolve("original-db"));
            Files.move(rebuilt, cluster.db());
            cluster.startIndex();
            assertEquals(404, Http.get(cluster.url(planted)).statusCode(), "the link is no key");
            assertArrayEquals("real".getBytes(StandardCharsets.UTF_8), cluster.read("/real"));
            assertArrayEquals(SECRET, Files.readAllBytes(outside.resolve("secret")), "nothing outside was touched");
        }
    }
}
