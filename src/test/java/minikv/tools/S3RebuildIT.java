package minikv.tools;

import static minikv.tools.ToolsTesting.args;
import static minikv.tools.ToolsTesting.tool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import minikv.cluster.HeadersCopy;
import minikv.testing.S3Cluster;
import minikv.tools.ToolsTesting.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;

/**
 * After the index's disk is lost, {@code rebuild} gives S3 objects back their stored headers
 * and multipart ETags, from the copies on the volumes: the newest of a replaced object, none
 * for one whose last write had none, and a deleted object leaves no copy behind.
 */
class S3RebuildIT {

    @TempDir
    Path dir;

    @Test
    void aRebuildBringsBackTheHeadersOfEachObjectsCurrentValue() {
        try (S3Cluster running = S3Cluster.start(dir)) {
            S3Client client = running.client();
            client.createBucket(b -> b.bucket("kept"));
            client.putObject(b -> b.bucket("kept").key("typed\nkey é").contentType("text/plain").cacheControl("no-cache")
                    .metadata(Map.of("colour", "blue")), RequestBody.fromString("hello"));
            client.putObject(b -> b.bucket("kept").key("replaced").contentType("text/old").metadata(Map.of("v", "1")),
                    RequestBody.fromString("first"));
            client.putObject(b -> b.bucket("kept").key("replaced").contentType("text/new").metadata(Map.of("v", "2")),
                    RequestBody.fromString("second"));
            client.putObject(b -> b.bucket("kept").key("plain-now").contentType("text/was").metadata(Map.of("v", "1")),
                    RequestBody.fromString("second"));
            // The same bytes again, with no headers at all (an SDK's PUT always sends a Content-Type).
            client.copyObject(b -> b.sourceBucket("kept").sourceKey("replaced").destinationBucket("kept").destinationKey("plain-now")
                    .metadataDirective(MetadataDirective.REPLACE));
            client.putObject(b -> b.bucket("kept").key("deleted").contentType("text/gone"), RequestBody.fromString("x"));
            client.deleteObject(b -> b.bucket("kept").key("deleted"));
            client.copyObject(b -> b.sourceBucket("kept").sourceKey("replaced").destinationBucket("kept").destinationKey("copied")
                    .metadataDirective(MetadataDirective.REPLACE).contentType("image/png").metadata(Map.of("copy", "yes")));
            String id = client.createMultipartUpload(b -> b.bucket("kept").key("multi").contentType("video/mp4")
                    .metadata(Map.of("parts", "2"))).uploadId();
            String first = client.uploadPart(b -> b.bucket("kept").key("multi").uploadId(id).partNumber(1),
                    RequestBody.fromBytes(new byte[5 << 20])).eTag();
            String second = client.uploadPart(b -> b.bucket("kept").key("multi").uploadId(id).partNumber(2),
                    RequestBody.fromString("tail")).eTag();
            String multiEtag = client.completeMultipartUpload(b -> b.bucket("kept").key("multi").uploadId(id)
                    .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(first).build(),
                            CompletedPart.builder().partNumber(2).eTag(second).build()))).eTag();
            assertEquals(List.of(), running.cluster().replicaFiles(copyKey("/kept/deleted")), "a deleted object's copy goes");
            assertEquals(List.of(), running.cluster().replicaFiles(copyKey("/kept/plain-now")),
                    "an object written again without headers has no copy");
            assertEquals(2, running.cluster().replicaFiles(copyKey("/kept/replaced")).size());

            running.cluster().stopIndex();
            Path rebuilt = dir.resolve("rebuilt");
            Run run = tool(args("rebuild", running.cluster().volumes(), "--db", rebuilt.toString()));
            assertEquals(0, run.exit(), run.output());
            assertTrue(run.output().contains("rebuild: stored headers of 4 S3 objects restored from their copies on the"
                    + " volumes; 0 copies matched no value"), run.output());
            running.cluster().startIndexOn(rebuilt.toString());

            HeadObjectResponse typed = client.headObject(b -> b.bucket("kept").key("typed\nkey é"));
            assertEquals("text/plain", typed.contentType());
            assertEquals("no-cache", typed.cacheControl());
            assertEquals(Map.of("colour", "blue"), typed.metadata());
            assertEquals("\"" + md5Hex("hello") + "\"", typed.eTag());
            HeadObjectResponse replaced = client.headObject(b -> b.bucket("kept").key("replaced"));
            assertEquals("text/new", replaced.contentType());
            assertEquals(Map.of("v", "2"), replaced.metadata());
            HeadObjectResponse plain = client.headObject(b -> b.bucket("kept").key("plain-now"));
            assertEquals(Map.of(), plain.metadata(), "the headers of an earlier write of the same bytes stay gone");
            assertEquals("binary/octet-stream", plain.contentType());
            assertEquals("image/png", client.headObject(b -> b.bucket("kept").key("copied")).contentType());
            HeadObjectResponse multi = client.headObject(b -> b.bucket("kept").key("multi"));
            assertEquals(multiEtag, multi.eTag());
            assertTrue(multi.eTag().endsWith("-2\""), multi.eTag());
            assertEquals("video/mp4", multi.contentType());
            assertEquals(Map.of("parts", "2"), multi.metadata());
            assertEquals("second", client.getObjectAsBytes(b -> b.bucket("kept").key("replaced")).asUtf8String());
        }
    }

    private static String copyKey(String objectKey) {
        return new String(HeadersCopy.keyOf(objectKey.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    private static String md5Hex(String value) {
        return HexFormat.of().formatHex(minikv.placement.Placement.md5Digest().digest(value.getBytes(StandardCharsets.UTF_8)));
    }
}
