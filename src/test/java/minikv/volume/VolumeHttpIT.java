package minikv.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import minikv.testing.Http;
import minikv.testing.VolumeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a client of one volume sees over HTTP, against real nginx started by the launcher jar. */
class VolumeHttpIT {

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
    void announcesItselfWithExactlyOneLineOnStdout() {
        assertEquals("volume :" + volume.port() + " serving " + dir.toAbsolutePath() + "/\n",
                volume.launcher().stdout());
    }

    @Test
    void putWithDeepPathStoresAPlainFileThatGetReturns() throws IOException {
        byte[] value = bytes(10_000, 1);

        assertEquals(201, Http.put(volume.url("/put/ab/cd/key"), value).statusCode());

        assertArrayEquals(value, Files.readAllBytes(dir.resolve("put/ab/cd/key")));
        HttpResponse<byte[]> get = Http.get(volume.url("/put/ab/cd/key"));
        assertEquals(200, get.statusCode());
        assertArrayEquals(value, get.body());
    }

    @Test
    void rangeReturnsPartialContent() {
        byte[] value = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        Http.put(volume.url("/range/key"), value);

        HttpResponse<byte[]> part = Http.get(volume.url("/range/key"), "Range", "bytes=4-9");

        assertEquals(206, part.statusCode());
        assertEquals("456789", new String(part.body(), StandardCharsets.US_ASCII));
        assertEquals("bytes 4-9/16", part.headers().firstValue("Content-Range").orElse(""));
    }

    @Test
    void deleteRemovesTheFile() {
        Http.put(volume.url("/delete/key"), bytes(100, 2));

        assertEquals(204, Http.delete(volume.url("/delete/key")).statusCode());

        assertFalse(Files.exists(dir.resolve("delete/key")));
        assertEquals(404, Http.get(volume.url("/delete/key")).statusCode());
    }

    @Test
    void moveRenamesABlobIntoNewDirectories() {
        byte[] value = bytes(100, 3);
        Http.put(volume.url("/move/from"), value);

        int status = Http.send("MOVE", volume.url("/move/from"), "Destination", "/move/to/here").statusCode();

        assertTrue(status == 201 || status == 204, "MOVE answered " + status);
        assertArrayEquals(value, Http.get(volume.url("/move/to/here")).body());
        assertEquals(404, Http.get(volume.url("/move/from")).statusCode());
    }

    @Test
    void acceptsA64MebibytePut(@TempDir Path source) throws IOException {
        Path file = source.resolve("64MiB");
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] chunk = bytes(1 << 20, 4);
            for (int i = 0; i < 64; i++) {
                chunk[0] = (byte) i;
                out.write(chunk);
            }
        }

        assertEquals(201, Http.put(volume.url("/large/blob"), file).statusCode());

        assertEquals(-1, Files.mismatch(file, dir.resolve("large/blob")));
        assertEquals(String.valueOf(64L << 20),
                Http.send("HEAD", volume.url("/large/blob")).headers().firstValue("Content-Length").orElse(""));
    }

    @Test
    void rootListsTheVolumeAsJsonWithoutRuntimeFiles() throws IOException {
        Http.put(volume.url("/listed/key"), bytes(10, 5));

        HttpResponse<byte[]> listing = Http.get(volume.url("/"));

        assertEquals(200, listing.statusCode());
        assertTrue(listing.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        List<String> names = names(listing.body());
        assertTrue(names.contains("listed"), names.toString());
        assertFalse(names.contains(".minikv"), names.toString());
        assertTrue(Files.isDirectory(dir.resolve(".minikv")), "the runtime directory is there, only not listed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/.minikv/nginx.conf", "/.minikv/nginx.pid", "/.minikv/startup-error.log", "/.minikv/",
        "/%2Eminikv/nginx.conf", "//.minikv/nginx.conf", "/x/../.minikv/nginx.conf"})
    void runtimeFilesAreNotServed(String path) {
        assertTrue(Files.exists(dir.resolve(".minikv/nginx.conf")));

        HttpResponse<byte[]> response = Http.get(volume.url(path));

        assertEquals(404, response.statusCode(), path);
        assertFalse(new String(response.body(), StandardCharsets.UTF_8).contains("worker_processes"), path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/.minikv/nginx.conf", "/%2Eminikv/nginx.conf", "/%2E%6Dinikv/nginx.conf",
        "http://127.0.0.1/.minikv/nginx.conf", "/%2F.minikv/nginx.conf"})
    void runtimeFilesCannotBeOverwritten(String destination) throws IOException {
        String config = Files.readString(dir.resolve(".minikv/nginx.conf"));
        Http.put(volume.url("/overwrite/source"), "server { }".getBytes(StandardCharsets.US_ASCII));

        assertEquals(404, Http.put(volume.url("/.minikv/nginx.conf"), new byte[1]).statusCode());
        assertEquals(403, Http.send("COPY", volume.url("/overwrite/source"), "Destination", destination).statusCode());
        assertEquals(403, Http.send("MOVE", volume.url("/overwrite/source"), "Destination", destination).statusCode());

        assertEquals(config, Files.readString(dir.resolve(".minikv/nginx.conf")));
    }

    @Test
    void aDirectoryCannotBeDeletedWhole() {
        Http.put(volume.url("/kept/key"), bytes(10, 6));

        assertEquals(405, Http.delete(volume.url("/")).statusCode());
        assertEquals(405, Http.delete(volume.url("/kept/")).statusCode());
        assertEquals(405, Http.send("MOVE", volume.url("/kept/"), "Destination", "/elsewhere/").statusCode());

        assertTrue(Files.exists(dir.resolve("kept/key")));
    }

    @Test
    void writesNoAccessLogByDefault() {
        Http.get(volume.url("/"));

        assertFalse(Files.exists(dir.resolve(".minikv/access.log")));
    }

    private static byte[] bytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static List<String> names(byte[] json) throws IOException {
        List<String> names = new ArrayList<>();
        try (JsonParser parser = new JsonFactory().createParser(json)) {
            assertEquals(JsonToken.START_ARRAY, parser.nextToken());
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.FIELD_NAME && parser.currentName().equals("name")) {
                    names.add(parser.nextTextValue());
                }
            }
        }
        return names;
    }
}
