package minikv.s3it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import minikv.cluster.ReplicaName;
import minikv.store.Details;
import minikv.store.IndexStore;
import minikv.store.Record;
import minikv.testing.Await;
import minikv.testing.Cluster;
import minikv.testing.Http;
import minikv.testing.S3Cluster;
import minikv.testing.S3Endpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * PutObject over an existing object: the new value goes beside the old on every replica, then
 * each is renamed over it while the record says the new one is current. A reader sees one or the
 * other; a crash before the record says so leaves the old value, after it the new one.
 */
class S3ReplaceIT {

    @TempDir
    static Path dir;
    private static S3Cluster running;
    private static Cluster cluster;
    private static S3Endpoint s3;
    private static S3Client client;

    @BeforeAll
    static void start() {
        running = S3Cluster.start(dir);
        cluster = running.cluster();
        s3 = running.s3();
        client = running.client();
        client.createBucket(b -> b.bucket("replace"));
    }

    @AfterAll
    static void stop() {
        if (running != null) {
            running.close();
        }
    }

    @Test
    void aPutOverAnObjectReplacesItsValueHeadersAndETagAndLeavesNoOtherFile() throws Exception {
        client.putObject(b -> b.bucket("replace").key("doc").contentType("text/plain").metadata(Map.of("v", "1")),
                RequestBody.fromString("version one"));
        String etag = client.putObject(b -> b.bucket("replace").key("doc").contentType("text/markdown")
                .metadata(Map.of("v", "2")), RequestBody.fromString("version two, longer")).eTag();

        var got = client.getObjectAsBytes(b -> b.bucket("replace").key("doc"));
        assertEquals("version two, longer", got.asUtf8String());
        assertEquals("text/markdown", got.response().contentType());
        assertEquals(Map.of("v", "2"), got.response().metadata());
        assertEquals("\"" + md5("version two, longer") + "\"", etag);
        assertEquals(19L, client.listObjectsV2(b -> b.bucket("replace").prefix("doc")).contents().get(0).size());
        assertEquals(2, cluster.replicaFiles("/replace/doc").size(), "one file per replica, under the live name");
        assertEquals(403, Http.put(cluster.url("/replace/doc"), "native".getBytes()).statusCode(),
                "minikv's own PUT still never overwrites");
    }

    @Test
    void writersOfOneKeyAtOnceAllSucceedAndOneOfTheirValuesIsKept() throws Exception {
        ExecutorService writers = Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String value = ("writer " + i + " ").repeat(100_000);
                done.add(writers.submit(() -> client.putObject(b -> b.bucket("replace").key("contended"),
                        RequestBody.fromString(value))));
            }
            for (var f : done) {
                f.get(); // throws if any was refused
            }
        } finally {
            writers.shutdownNow();
        }
        String kept = client.getObjectAsBytes(b -> b.bucket("replace").key("contended")).asUtf8String();
        assertTrue(kept.matches("(writer \\d )+") && kept.equals(kept.substring(0, 9).repeat(100_000)), "one whole value");
        assertEquals(2, cluster.replicaFiles("/replace/contended").size());
    }

    @Test
    void anIndexKilledInTheMiddleOfAReplaceLeavesTheOldValue() throws Exception {
        client.putObject(b -> b.bucket("replace").key("crash"), RequestBody.fromString("the old value"));
        CountDownLatch sending = new CountDownLatch(1);
        ExecutorService background = Executors.newSingleThreadExecutor();
        try {
            background.submit(() -> {
                try (S3Client slow = s3.client()) {
                    slow.putObject(b -> b.bucket("replace").key("crash"), RequestBody.fromContentProvider(
                            () -> new StallingInput(sending), 10 << 20, "application/octet-stream"));
                } catch (RuntimeException expected) {
                    // the index dies under it
                }
            });
            assertTrue(sending.await(30, java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(Await.until(() -> Http.send("UNLINK", cluster.url("/replace/crash")).statusCode() == 409,
                    Duration.ofSeconds(10)), "the replace holds the key");
            assertEquals("the old value", client.getObjectAsBytes(b -> b.bucket("replace").key("crash")).asUtf8String(),
                    "readers see the old value meanwhile");
            cluster.killIndex();
        } finally {
            background.shutdownNow();
        }
        cluster.startIndex();
        assertEquals("the old value", client.getObjectAsBytes(b -> b.bucket("replace").key("crash")).asUtf8String());
        assertEquals(2, cluster.replicaFiles("/replace/crash").size(), "nothing of the new value is left");
        assertEquals(List.of(), cluster.partialUploads());
    }

    @Test
    void aReplaceThatWasWholeWhenTheIndexDiedRollsForward() throws Exception {
        client.putObject(b -> b.bucket("replace").key("forward"), RequestBody.fromString("old"));
        cluster.stopIndex();
        byte[] key = "/replace/forward".getBytes(StandardCharsets.UTF_8);
        byte[] value = "the new value, whole on every replica".getBytes(StandardCharsets.UTF_8);
        try (IndexStore store = IndexStore.open(cluster.db().toString())) {
            Record old = store.get(key);
            for (String location : old.locations()) { // where the replace wrote before the crash
                Path live = cluster.replicaFile(location, "/replace/forward");
                Files.write(live.resolveSibling(live.getFileName() + ReplicaName.UNLINKED_SUFFIX), value);
            }
            Record next = Record.live(old.locations(), HexFormat.of().parseHex(md5(new String(value, StandardCharsets.UTF_8))))
                    .withDetails(new Details(value.length, System.currentTimeMillis(), Map.of("content-type", "text/x-new")));
            store.put(key, old.withNext(next, true));
        }
        cluster.startIndex();
        var got = client.getObjectAsBytes(b -> b.bucket("replace").key("forward"));
        assertEquals(new String(value, StandardCharsets.UTF_8), got.asUtf8String());
        assertEquals("text/x-new", got.response().contentType());
        assertTrue(Await.until(() -> cluster.replicaFiles("/replace/forward").stream()
                .noneMatch(p -> p.toString().endsWith(ReplicaName.UNLINKED_SUFFIX)), Duration.ofSeconds(10)));
    }

    /** Ten MiB that sends its first bytes, then waits (until the test is over). */
    private static final class StallingInput extends InputStream {
        private final CountDownLatch sending;
        private int sent;

        StallingInput(CountDownLatch sending) {
            this.sending = sending;
        }

        @Override
        public int read() throws IOException {
            if (sent == 1 << 20) {
                sending.countDown();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    throw new IOException("stopped");
                }
            }
            sent++;
            return 'x';
        }
    }

    private static String md5(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
