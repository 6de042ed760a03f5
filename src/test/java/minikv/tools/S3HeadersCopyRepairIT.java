package minikv.tools;

import static minikv.tools.ToolsTesting.args;
import static minikv.tools.ToolsTesting.tool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import minikv.cluster.HeadersCopy;
import minikv.testing.Cluster;
import minikv.testing.Http;
import minikv.testing.S3Cluster;
import minikv.tools.ToolsTesting.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code verify --repair} removes, online and offline, a copy of an S3 object's headers whose
 * object has no record (as a failed erase leaves one), and keeps those of a live object and of
 * an unlinked one.
 */
class S3HeadersCopyRepairIT {

    @TempDir
    Path dir;

    @Test
    void verifyRepairRemovesTheHeadersCopiesOfObjectsThatAreGone() {
        try (S3Cluster running = S3Cluster.start(dir)) {
            Cluster cluster = running.cluster();
            S3Client client = running.client();
            client.createBucket(b -> b.bucket("kept"));
            client.putObject(b -> b.bucket("kept").key("live").contentType("text/live"), RequestBody.fromString("a"));
            client.putObject(b -> b.bucket("kept").key("unlinked").contentType("text/unlinked"), RequestBody.fromString("b"));
            assertEquals(204, Http.send("UNLINK", cluster.keyUrl("/kept/unlinked")).statusCode());
            leaveCopyOf(cluster, "/kept/gone");

            Run online = tool(args("verify", cluster.volumes(), "--repair", "--index", cluster.url("")));
            assertEquals(0, online.exit(), online.output());
            assertTrue(online.output().contains("verify: copies of S3 headers whose object is gone: 1 repaired"), online.output());
            assertEquals(List.of(), cluster.replicaFiles(copyKey("/kept/gone")));
            assertEquals(2, cluster.replicaFiles(copyKey("/kept/live")).size(), "a live object's copy stays");
            assertEquals(2, cluster.replicaFiles(copyKey("/kept/unlinked")).size(), "an unlinked object's copy stays");

            leaveCopyOf(cluster, "/kept/gone-too");
            cluster.stopIndex();
            Run offline = tool(args("verify", cluster.volumes(), "--repair", "--db", cluster.db().toString()));
            assertEquals(0, offline.exit(), offline.output());
            assertTrue(offline.output().contains("verify: copies of S3 headers whose object is gone: 1 repaired"), offline.output());
            assertEquals(List.of(), cluster.replicaFiles(copyKey("/kept/gone-too")));
            assertEquals(2, cluster.replicaFiles(copyKey("/kept/unlinked")).size(), "an unlinked object's copy stays");
            cluster.startIndex();
            assertEquals("text/live", client.headObject(b -> b.bucket("kept").key("live")).contentType());
        }
    }

    /** Writes the copy of the headers of an object that has no record, as a failed erase leaves one. */
    private static void leaveCopyOf(Cluster cluster, String objectKey) {
        byte[] copy = HeadersCopy.encode(new HeadersCopy.Parsed(objectKey.getBytes(StandardCharsets.UTF_8),
                "0cc175b9c0f1b6a831c399e269772661", 1, 1, Map.of("content-type", "text/gone")));
        assertEquals(201, Http.put(cluster.keyUrl(copyKey(objectKey)), copy).statusCode());
        assertEquals(2, cluster.replicaFiles(copyKey(objectKey)).size());
    }

    private static String copyKey(String objectKey) {
        return new String(HeadersCopy.keyOf(objectKey.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }
}
