package minikv.s3it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import minikv.testing.Await;
import minikv.testing.S3Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/** An upload left unfinished past --s3-upload-max-age is aborted, its parts removed from the volumes, and so is a part whose upload is gone. */
class S3UploadAgeIT {

    @TempDir
    Path dir;

    @Test
    void anUploadPastTheMaxAgeIsAbortedWithItsParts() {
        try (S3Cluster running = S3Cluster.start(dir, "--s3-upload-max-age", "3s")) {
            var client = running.client();
            client.createBucket(b -> b.bucket("ages"));
            String id = client.createMultipartUpload(b -> b.bucket("ages").key("forgotten")).uploadId();
            client.uploadPart(b -> b.bucket("ages").key("forgotten").uploadId(id).partNumber(1), RequestBody.fromString("part"));
            assertEquals(2, running.cluster().replicaFiles("/.minikv-multipart/ages/" + id + "/00001").size());
            String orphan = "/.minikv-multipart/ages/" + "0".repeat(32) + "/00001"; // a part whose upload is gone
            assertEquals(201, minikv.testing.Http.put(running.cluster().url(orphan), "left".getBytes()).statusCode());

            assertTrue(Await.until(() -> client.listMultipartUploads(b -> b.bucket("ages")).uploads().isEmpty(),
                    Duration.ofSeconds(15)), "aborted after 3 s");
            assertEquals(List.of(), running.cluster().replicaFiles("/.minikv-multipart/ages/" + id + "/00001"));
            assertEquals(List.of(), running.cluster().replicaFiles("/.minikv-multipart/ages/" + id));
            assertTrue(Await.until(() -> running.cluster().replicaFiles(orphan).isEmpty(), Duration.ofSeconds(15)),
                    "a part without its upload goes too");
        }
    }
}
