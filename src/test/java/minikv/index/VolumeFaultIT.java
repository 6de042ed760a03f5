package minikv.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import minikv.cluster.ReplicaName;
import minikv.placement.Placement;
import minikv.testing.Await;
import minikv.testing.Cluster;
import minikv.testing.Http;
import minikv.testing.Listings;
import minikv.testing.RawHttp;
import minikv.testing.VolumeFaults.Fault;
import minikv.testing.VolumeFaults;
import minikv.testing.VolumeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One volume of three goes away (stopped, hung, killed) while a PUT, a GET, a DELETE and an
 * UNLINK are under way, then comes back. Whatever was acknowledged stays readable, whatever
 * failed leaves no file and no record, and nothing is stuck once the volume is back.
 *
 * <p>With three replicas on three volumes, every key has a replica on the faulty volume.
 */
class VolumeFaultIT {

    /** Longer than the index needs to see a volume down or back (probes every second). */
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    /** What a careful client allows one attempt before asking the index again. */
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    static Path dir;
    static Cluster cluster;
    /** Every key that must read back, with its value, across all the faults. */
    static final Map<String, byte[]> expected = new LinkedHashMap<>();
    /** Unlinked keys, whose files stay. */
    static final Set<String> unlinked = new HashSet<>();
    final VolumeFaults faults = new VolumeFaults();

    @BeforeAll
    static void startCluster() {
        cluster = Cluster.start(dir, 3);
    }

    /** Whatever happened in the test, the next one starts with every volume serving. */
    @AfterEach
    void recoverEveryVolume() {
        faults.close();
        List.copyOf(cluster.volumes()).stream().filter(v -> !v.launcher().isAlive()).forEach(cluster::restartVolume);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void aVolumeLostDuringPutGetDeleteAndUnlink(Fault fault) throws Exception {
        String prefix = "/" + fault.name().toLowerCase() + "/";
        byte[] big = random(8 << 20, fault.ordinal());
        put(prefix + "big", big);
        put(prefix + "kept", random(100_000, 10 + fault.ordinal()));
        put(prefix + "doomed", random(1000, 20 + fault.ordinal()));
        put(prefix + "unlinked", random(1000, 30 + fault.ordinal()));
        VolumeProcess faulty = cluster.volumes().get(1);

        // A PUT and a GET from the faulty volume are half-way when it goes.
        RawHttp upload = RawHttp.connect(cluster.url("/"));
        upload.send(RawHttp.putHead(prefix + "during", 1 << 20)).send(new byte[512 * 1024]);
        HttpURLConnection download = openReplica(faulty, prefix + "big");
        InputStream downloading = download.getInputStream();
        downloading.readNBytes(64 * 1024);

        // Stopping waits for nginx to finish what is in flight: inflict it alongside.
        CompletableFuture<Void> inflicted = CompletableFuture.runAsync(() -> faults.inflict(fault, faulty));
        Thread.sleep(300);

        String putAnswer = finish(upload, 512 * 1024);
        assertDownloadIsWholeOrVisiblyShort(download, downloading, big, 64 * 1024);
        inflicted.get();
        boolean putAcknowledged = putAnswer.startsWith("HTTP/1.1 201 ");
        assertTrue(putAcknowledged || putAnswer.startsWith("HTTP/1.1 503 ") || putAnswer.isEmpty(), putAnswer);
        assertTrue(fault == Fault.STOPPED || !putAcknowledged, "a " + fault + " volume cannot have stored a replica");

        // While it is gone: reads go to the other replicas, writes fail whole, deletes wait.
        assertReadableWithinPatience(prefix + "kept");
        assertReadableWithinPatience(prefix + "big");
        assertEquals(503, Http.put(cluster.url(prefix + "refused"), random(10, 1)).statusCode());
        int deleteStatus = Http.delete(cluster.url(prefix + "doomed")).statusCode();
        assertTrue(deleteStatus == 503 || deleteStatus == 502, "DELETE answered " + deleteStatus);
        assertEquals(404, Http.get(cluster.url(prefix + "doomed")).statusCode(), "a key half-deleted reads as absent");
        assertFalse(Listings.live(cluster, prefix).contains(prefix + "doomed"));
        assertEquals(204, Http.send("UNLINK", cluster.url(prefix + "unlinked")).statusCode(), "UNLINK needs no volume");
        assertEquals(List.of(prefix + "unlinked"), Listings.unlinked(cluster, prefix));

        VolumeProcess back = faults.recover(fault, faulty, cluster);
        assertTrue(VolumeProcess.isListening(back.port()));

        assertEquals(204, Await.status(204, () -> Http.delete(cluster.url(prefix + "doomed")), PATIENCE), "the retried DELETE");
        assertEquals(List.of(), cluster.replicaFiles(prefix + "doomed"));
        assertEquals(204, Http.send("RELINK", cluster.url(prefix + "unlinked")).statusCode());
        assertEquals(201, Await.status(201, () -> Http.put(cluster.url(prefix + "after"), bytes("after")), PATIENCE));
        expected.put(prefix + "after", bytes("after"));
        expected.remove(prefix + "doomed");
        if (putAcknowledged) {
            expected.put(prefix + "during", new byte[1 << 20]);
        } else {
            // Its replicas are being rolled back, in the background if a volume was in the way.
            assertEquals(404, Http.get(cluster.url(prefix + "during")).statusCode());
            assertFalse(Listings.live(cluster, prefix).contains(prefix + "during"));
        }
        assertEveryAcknowledgedValueAndNoOtherFile();
        if (!putAcknowledged) {
            assertEquals(201, Await.unclaimed(() -> Http.put(cluster.url(prefix + "during"), bytes("again")), PATIENCE),
                    "the failed PUT's key is free");
            expected.put(prefix + "during", bytes("again"));
        }
    }

    /** The rest of the body after the volume went; the index's answer, or "" if it hung up. */
    private static String finish(RawHttp upload, int rest) {
        try (upload) {
            try {
                upload.send(new byte[rest]);
            } catch (UncheckedIOException e) {
                // the index gave up on the PUT first and closed the connection
            }
            return upload.readUntilClosed(PATIENCE);
        }
    }

    /**
     * A download cut short may end quietly (HttpURLConnection returns what it got), but a client
     * can always tell: the volume declared the whole length up front, and what did arrive is the
     * value's own bytes.
     */
    private static void assertDownloadIsWholeOrVisiblyShort(HttpURLConnection download, InputStream in, byte[] value,
            int read) {
        assertEquals(value.length, download.getContentLengthLong(), "Content-Length");
        try (in) {
            byte[] rest = in.readAllBytes();
            assertArrayEquals(Arrays.copyOfRange(value, read, read + rest.length), rest, "bytes that are not the value's");
        } catch (IOException e) {
            // broken off with an error: the client knows, and asks the index again
        } finally {
            download.disconnect();
        }
    }

    /** The value, read as a careful client does: through the index again, with a timeout, until it works. */
    private static void assertReadableWithinPatience(String key) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        String lastProblem = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<byte[]> redirect = Http.get(cluster.url(key));
            if (redirect.statusCode() == 302) {
                try {
                    HttpResponse<byte[]> value = Http.get(redirect.headers().firstValue("Location").orElseThrow(),
                            CLIENT_TIMEOUT);
                    if (value.statusCode() == 200) {
                        assertArrayEquals(expected.get(key), value.body(), key);
                        return;
                    }
                    lastProblem = "replica answered " + value.statusCode();
                } catch (UncheckedIOException e) {
                    lastProblem = e.getCause().toString();
                }
            } else {
                lastProblem = "index answered " + redirect.statusCode();
            }
            Thread.sleep(100);
        }
        fail(key + " was not readable within " + PATIENCE + ": " + lastProblem);
    }

    /** Every expected key reads back whole, every replica file belongs to one, and no other file exists. */
    private static void assertEveryAcknowledgedValueAndNoOtherFile() throws InterruptedException {
        Set<Path> wanted = new HashSet<>();
        for (Map.Entry<String, byte[]> entry : expected.entrySet()) {
            assertArrayEquals(entry.getValue(), cluster.read(entry.getKey()), entry.getKey());
            cluster.locations(entry.getKey()).forEach(l -> wanted.add(cluster.replicaFile(l, entry.getKey())));
        }
        long deadline = System.nanoTime() + PATIENCE.toNanos(); // a failed rollback is retried in the background
        while (!(wanted.equals(new HashSet<>(cluster.files())) && cluster.partialUploads().isEmpty())
                && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertEquals(wanted, new HashSet<>(cluster.files()));
        assertEquals(List.of(), cluster.partialUploads(), "a PUT body left in a volume's temp directory");
    }

    private static void put(String key, byte[] value) {
        assertEquals(201, Http.put(cluster.url(key), value).statusCode(), key);
        expected.put(key, value);
    }

    /** A download of the key's replica straight from {@code volume}, with a careful client's timeouts. */
    private static HttpURLConnection openReplica(VolumeProcess volume, String key) throws IOException {
        String location = cluster.locations(key).stream()
                .filter(l -> Placement.volumeOf(l).equals(volume.address())).findFirst().orElseThrow();
        String url = ReplicaName.url(location, key.getBytes(StandardCharsets.UTF_8), false);
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout((int) CLIENT_TIMEOUT.toMillis());
        c.setReadTimeout((int) CLIENT_TIMEOUT.toMillis());
        return c;
    }

    private static byte[] random(int size, long seed) {
        byte[] value = new byte[size];
        new Random(seed).nextBytes(value);
        return value;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
