package minikv.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import minikv.cluster.DiskStatus;
import minikv.testing.Await;
import minikv.testing.Http;
import minikv.testing.VolumeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk status a volume serves for the index's probe: real, current, and read-only. */
class VolumeStatusFileIT {

    @TempDir
    static Path dir;
    static VolumeProcess volume;

    @BeforeAll
    static void startVolume() {
        volume = VolumeProcess.start(dir);
    }

    @AfterAll
    static void stopVolume() {
        volume.close();
    }

    @Test
    void reportsTheFileSystemOfItsDirectory() throws IOException {
        HttpResponse<byte[]> response = Http.get(volume.url(DiskStatus.URL_PATH));

        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElse(""));
        DiskStatus status = DiskStatus.fromJson(response.body());
        FileStore store = Files.getFileStore(dir);
        assertEquals(store.getTotalSpace(), status.totalBytes());
        long drift = Math.abs(store.getUsableSpace() - status.freeBytes());
        assertTrue(drift < 1L << 30, "free space as measured here, give or take other writers: " + drift + " bytes apart");
        assertTrue(status.freeBytes() <= status.totalBytes() && status.usedBytes() <= status.totalBytes(), status.toString());
    }

    @Test
    void isKeptCurrent() {
        Instant first = DiskStatus.fromJson(Http.get(volume.url(DiskStatus.URL_PATH)).body()).time();
        Instant deadline = Instant.now().plus(DiskStatusReporter.INTERVAL.multipliedBy(3));
        Instant latest = first;
        while (!latest.isAfter(first) && Instant.now().isBefore(deadline)) {
            Await.pause(Duration.ofMillis(200));
            latest = DiskStatus.fromJson(Http.get(volume.url(DiskStatus.URL_PATH)).body()).time();
        }
        assertTrue(latest.isAfter(first), "rewritten every " + DiskStatusReporter.INTERVAL + "; still " + first);
    }

    @Test
    void cannotBeWrittenOrDeletedOverHttp() throws IOException {
        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        assertEquals(405, Http.put(volume.url(DiskStatus.URL_PATH), empty).statusCode());
        assertEquals(405, Http.delete(volume.url(DiskStatus.URL_PATH)).statusCode());
        assertEquals(404, Http.put(volume.url("/.minikv/status.json.tmp"), empty).statusCode(), "only the one file is exposed");

        DiskStatus.fromJson(Files.readAllBytes(dir.resolve(".minikv/status.json"))); // still the launcher's, not "{}"
    }
}
