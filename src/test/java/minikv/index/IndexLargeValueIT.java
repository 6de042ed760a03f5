package minikv.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import minikv.placement.Placement;
import minikv.testing.Cluster;
import minikv.testing.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A value far larger than the index's heap streams through it: 300 MiB with -Xmx64m (the same
 * property as 1 GiB with -Xmx256m, at a size that keeps the suite fast). And a large value on
 * disk is deleted within the time its size needs, not the --voltimeout a small one gets.
 */
class IndexLargeValueIT {

    private static final int MIB = 1024 * 1024;
    private static final int VALUE_MIB = 300;

    @TempDir
    Path dir;

    @Test
    void aValueLargerThanTheHeapStreamsToEveryReplica() throws Exception {
        Path value = dir.resolve("value");
        String md5 = write(value, VALUE_MIB);
        try (Cluster cluster = Cluster.start(dir, 3, List.of("-Xmx64m"))) {
            HttpResponse<byte[]> put = Http.put(cluster.url("/large"), value);
            assertEquals(201, put.statusCode(), new String(put.body()));

            HttpResponse<byte[]> get = Http.get(cluster.url("/large"));
            assertEquals(md5, get.headers().firstValue("Content-Md5").orElseThrow());
            List<Path> replicas = cluster.replicaFiles("/large");
            assertEquals(3, replicas.size());
            for (Path replica : replicas) {
                assertEquals(md5, md5Of(replica), replica.toString());
            }
            long peakKib = peakResidentKib(cluster.index().pid());
            assertTrue(peakKib < VALUE_MIB * 1024 / 2, "the index peaked at " + peakKib / 1024 + " MiB resident");
        }
    }

    @Test
    void aLargeValueOnDiskIsDeletedThoughItsVolumesTakeLongerThanTheVolTimeout() throws Exception {
        Path value = dir.resolve("value");
        write(value, 2 * VALUE_MIB);
        // 600 MiB on disk takes three volumes deleting at once about 0.6 s here, three times the
        // --voltimeout: held to it, the DELETE answered 503 and the volume was taken for down.
        try (Cluster cluster = Cluster.start(dir, 3, "--voltimeout", "200ms")) {
            HttpResponse<byte[]> put = Http.put(cluster.url("/large-delete"), value);
            assertEquals(201, put.statusCode(), new String(put.body()));
            Files.delete(value);
            assertEquals(0, new ProcessBuilder("sync").inheritIO().start().waitFor(), "sync"); // written back: a delete now frees blocks

            HttpResponse<byte[]> delete = Http.delete(cluster.url("/large-delete"));
            assertEquals(204, delete.statusCode(), new String(delete.body()));
            assertEquals(List.of(), cluster.replicaFiles("/large-delete"));
            assertEquals(404, Http.get(cluster.url("/large-delete")).statusCode());
        }
    }

    /** Writes {@code mib} MiB of pseudo-random bytes (each MiB different) and returns their md5. */
    private static String write(Path file, int mib) throws IOException {
        MessageDigest md5 = Placement.md5Digest();
        byte[] block = new byte[MIB];
        Random random = new Random(42);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < mib; i++) {
                random.nextBytes(block);
                md5.update(block);
                out.write(block);
            }
        }
        return HexFormat.of().formatHex(md5.digest());
    }

    private static String md5Of(Path file) throws IOException {
        MessageDigest md5 = Placement.md5Digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md5)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md5.digest());
    }

    private static long peakResidentKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IllegalStateException("no VmHWM for " + pid);
    }
}
