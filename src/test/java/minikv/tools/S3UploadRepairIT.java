package minikv.tools;

import static minikv.tools.ToolsTesting.args;
import static minikv.tools.ToolsTesting.tool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import minikv.testing.Await;
import minikv.testing.Http;
import minikv.testing.S3Cluster;
import minikv.tools.ToolsTesting.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * {@code verify --repair} removes abandoned S3 multipart uploads, online and offline: the parts
 * of an upload that is gone, and an upload older than {@code --s3-upload-max-age} with its
 * parts; a younger upload stays whole.
 */
class S3UploadRepairIT {

    private static final String NAMESPACE = "/.minikv-multipart/repairs/";

    @TempDir
    Path dir;

    @Test
    void verifyRepairRemovesAbandonedUploadsAndLeavesYoungOnes() {
        try (S3Cluster running = S3Cluster.start(dir)) { // the index's own sweep waits 7 days
            S3Client client = running.client();
            client.createBucket(b -> b.bucket("repairs"));
            String old = upload(client, "old");
            String orphan = NAMESPACE + "0".repeat(32) + "/00001";
            assertEquals(201, Http.put(running.cluster().url(orphan), "left".getBytes()).statusCode());
            Await.pause(Duration.ofSeconds(6)); // file times have whole seconds
            String young = upload(client, "young");

            Run online = tool(args("verify", running.cluster().volumes(), "--repair", "--s3-upload-max-age", "5s",
                    "--index", running.cluster().url("")));
            assertEquals(0, online.exit(), online.output());
            assertTrue(online.output().contains("verify: abandoned multipart uploads: 3 repaired"), online.output());
            assertEquals(List.of(), running.cluster().replicaFiles(orphan));
            assertEquals(List.of(), running.cluster().replicaFiles(NAMESPACE + old + "/00001"));
            assertEquals(List.of(young), uploads(client));

            String orphan2 = NAMESPACE + "1".repeat(32) + "/00002";
            assertEquals(201, Http.put(running.cluster().url(orphan2), "left".getBytes()).statusCode());
            running.cluster().stopIndex();
            Run offline = tool(args("verify", running.cluster().volumes(), "--repair", "--s3-upload-max-age", "1h",
                    "--db", running.cluster().db().toString())); // a part without its upload goes at any age
            assertEquals(0, offline.exit(), offline.output());
            assertTrue(offline.output().contains("verify: abandoned multipart uploads: 1 repaired"), offline.output());
            assertEquals(List.of(), running.cluster().replicaFiles(orphan2));
            running.cluster().startIndex();
            assertEquals(List.of(young), uploads(client));
            assertEquals(2, running.cluster().replicaFiles(NAMESPACE + young + "/00001").size(), "a young upload's part stays");
        }
    }

    /** Begins an upload of {@code key} with one part; returns its id. */
    private static String upload(S3Client client, String key) {
        String id = client.createMultipartUpload(b -> b.bucket("repairs").key(key)).uploadId();
        client.uploadPart(b -> b.bucket("repairs").key(key).uploadId(id).partNumber(1), RequestBody.fromString("part"));
        return id;
    }

    private static List<String> uploads(S3Client client) {
        return client.listMultipartUploads(b -> b.bucket("repairs")).uploads().stream().map(MultipartUpload::uploadId).toList();
    }
}
