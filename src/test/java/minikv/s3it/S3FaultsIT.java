package minikv.s3it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import minikv.testing.Await;
import minikv.testing.Cluster;
import minikv.testing.S3Cluster;
import minikv.testing.VolumeFaults;
import minikv.testing.VolumeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The S3 paths under faults: the index killed in the middle of a multipart upload, a volume down
 * at Complete, the volumes hung in the middle of a GET.
 */
class S3FaultsIT {

    @TempDir
    static Path dir;
    private static S3Cluster running;
    private static Cluster cluster;
    private static S3Client client;

    @BeforeAll
    static void start() {
        running = S3Cluster.start(dir);
        cluster = running.cluster();
        client = running.client();
        client.createBucket(b -> b.bucket("faults"));
    }

    @AfterAll
    static void stop() {
        if (running != null) {
            running.close();
        }
    }

    @Test
    void anUploadOutlivesAnIndexKilledInTheMiddleAndCompletesAfter() {
        byte[] value = bytes(6 << 20, 1);
        String id = client.createMultipartUpload(b -> b.bucket("faults").key("killed")).uploadId();
        List<CompletedPart> parts = new ArrayList<>();
        parts.add(part("killed", id, 1, Arrays.copyOfRange(value, 0, 5 << 20)));

        cluster.killIndex();
        cluster.startIndex();

        parts.add(part("killed", id, 2, Arrays.copyOfRange(value, 5 << 20, value.length)));
        client.completeMultipartUpload(b -> b.bucket("faults").key("killed").uploadId(id).multipartUpload(m -> m.parts(parts)));
        assertArrayEquals(value, client.getObjectAsBytes(b -> b.bucket("faults").key("killed")).asByteArray());
    }

    @Test
    void aCompleteWithAVolumeDownFailsWholeAndSucceedsOnceItIsBack() {
        byte[] value = bytes(5 << 20, 2);
        String id = client.createMultipartUpload(b -> b.bucket("faults").key("down")).uploadId();
        CompletedPart one = part("down", id, 1, value);
        String target = cluster.locations("/faults/down").get(0);
        VolumeProcess volume = cluster.volume(target);
        volume.stop();
        try {
            assertTrue(Await.until(() -> code(() -> client.completeMultipartUpload(b -> b.bucket("faults").key("down")
                    .uploadId(id).multipartUpload(m -> m.parts(one)))) == 503, Duration.ofSeconds(10)), "503 while it is down");
            assertEquals("NoSuchKey", assertThrows(S3Exception.class,
                    () -> client.getObject(b -> b.bucket("faults").key("down"))).awsErrorDetails().errorCode(),
                    "nothing of the object");
        } finally {
            cluster.restartVolume(volume);
        }
        assertTrue(Await.until(() -> {
            try {
                client.completeMultipartUpload(b -> b.bucket("faults").key("down").uploadId(id).multipartUpload(m -> m.parts(one)));
                return true;
            } catch (S3Exception e) {
                return false;
            }
        }, Duration.ofSeconds(20)), "completes once the volume is back");
        assertArrayEquals(value, client.getObjectAsBytes(b -> b.bucket("faults").key("down")).asByteArray());
    }

    @Test
    void aGetWhoseVolumesHangMidValueIsCutShortWithinTheVolumeTimeoutAndReadsWholeOnceTheyAreBack() throws Exception {
        // More than the sockets between volume, index and client hold (tens of MB, autotuned).
        byte[] value = bytes(256 << 20, 3);
        client.putObject(b -> b.bucket("faults").key("hung"), RequestBody.fromBytes(value));
        try (VolumeFaults faults = new VolumeFaults();
                ResponseInputStream<GetObjectResponse> in = client.getObject(b -> b.bucket("faults").key("hung"))) {
            assertEquals(1 << 20, in.readNBytes(new byte[1 << 20], 0, 1 << 20), "the value is on its way");
            for (String replica : cluster.locations("/faults/hung")) {
                faults.hang(cluster.volume(replica));
            }

            // The index's reads from the volume keep its 1 s --voltimeout: it cuts the answer
            // short (the JDK's HTTP client, under this SDK client, reports that as an early end)
            // long before the SDK's own 30 s timeout would end it.
            long rest = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> {
                try {
                    return in.transferTo(OutputStream.nullOutputStream());
                } catch (IOException e) {
                    return -1L;
                }
            });
            assertTrue(rest < value.length - (1 << 20), "cut short, not whole: " + rest);
        }
        assertArrayEquals(value, client.getObjectAsBytes(b -> b.bucket("faults").key("hung")).asByteArray());
    }

    private static int code(Runnable call) {
        try {
            call.run();
            return 200;
        } catch (S3Exception e) {
            return e.statusCode();
        }
    }

    private static CompletedPart part(String key, String id, int number, byte[] bytes) {
        String etag = client.uploadPart(b -> b.bucket("faults").key(key).uploadId(id).partNumber(number),
                RequestBody.fromBytes(bytes)).eTag();
        return CompletedPart.builder().partNumber(number).eTag(etag).build();
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
