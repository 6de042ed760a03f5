package minikv.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Locale;
import minikv.security.ClusterSecret;
import minikv.testing.FreePorts;
import minikv.testing.Http;
import minikv.testing.JarProcess;
import minikv.testing.VolumeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A volume started with the cluster secret: only writers that send it (from an allowed address) get in. */
class VolumeSecurityIT {

    private static final String SECRET = "3f1c0a9d5e7b2468ace13579bdf02468";
    private static final Duration QUICKLY = Duration.ofSeconds(10);
    private static final byte[] VALUE = "guarded".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path dir;
    static Path secretFile;
    static VolumeProcess guarded;

    @BeforeAll
    static void startVolume() throws IOException {
        secretFile = Files.writeString(dir.resolve("secret"), SECRET + "\n");
        guarded = VolumeProcess.start(dir.resolve("guarded"), "--secret-file", secretFile.toString(),
                "--allow", "127.0.0.0/8");
    }

    @AfterAll
    static void stopVolume() {
        guarded.close();
    }

    @Test
    void aPutWithoutTheSecretIsRefusedAndStoresNothing() {
        HttpResponse<byte[]> put = Http.put(guarded.url("/ab/cd/nosecret"), VALUE);

        assertEquals(403, put.statusCode());
        assertEquals("writes need the cluster secret in the Minikv-Secret header\n", body(put));
        assertFalse(Files.exists(guarded.dir().resolve("ab/cd/nosecret")));
    }

    @Test
    void theSecretIsCaseSensitive() {
        HttpResponse<byte[]> put = Http.put(guarded.url("/ab/cd/upper"), VALUE,
                ClusterSecret.HEADER, SECRET.toUpperCase(Locale.ROOT));

        assertEquals(403, put.statusCode());
        assertFalse(Files.exists(guarded.dir().resolve("ab/cd/upper")));
    }

    @Test
    void withTheSecretEveryWriteWorksAndReadsNeedNone() {
        String url = guarded.url("/ab/cd/withsecret");

        assertEquals(201, Http.put(url, VALUE, ClusterSecret.HEADER, SECRET).statusCode());
        assertArrayEquals(VALUE, Http.get(url).body());
        assertEquals(200, Http.send("HEAD", url).statusCode());
        int copy = Http.send("COPY", url, "Destination", "/ab/cd/copied", ClusterSecret.HEADER, SECRET).statusCode();
        assertTrue(copy == 201 || copy == 204, "COPY answered " + copy);
        assertEquals(204, Http.send("DELETE", guarded.url("/ab/cd/copied"), ClusterSecret.HEADER, SECRET).statusCode());
    }

    @Test
    void deleteMoveAndCopyWithoutTheSecretAreRefused() {
        String url = guarded.url("/ab/cd/kept");
        assertEquals(201, Http.put(url, VALUE, ClusterSecret.HEADER, SECRET).statusCode());

        assertEquals(403, Http.delete(url).statusCode());
        assertEquals(403, Http.send("MOVE", url, "Destination", "/ab/cd/moved").statusCode());
        assertEquals(403, Http.send("COPY", url, "Destination", "/ab/cd/copy").statusCode());
        assertEquals(403, Http.send("MKCOL", guarded.url("/ab/new/")).statusCode());

        assertArrayEquals(VALUE, Http.get(url).body());
        assertFalse(Files.exists(guarded.dir().resolve("ab/cd/moved")));
        assertFalse(Files.exists(guarded.dir().resolve("ab/cd/copy")));
    }

    @Test
    void theSecretIsInNoFileOtherUsersCanReadNorInTheOutput() throws IOException {
        Path config = guarded.dir().resolve(".minikv/nginx.conf");

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config)));
        Http.put(guarded.url("/ab/cd/logged"), VALUE, ClusterSecret.HEADER, SECRET);
        assertFalse(guarded.launcher().output().contains(SECRET), guarded.launcher().output());
        assertFalse(guarded.launcher().output().contains("WARNING"), "a volume with a secret has nothing to warn about");
    }

    @Test
    void aWriterOutsideTheAllowedNetworksIsRefusedEvenWithTheSecret() {
        try (VolumeProcess elsewhere = VolumeProcess.start(dir.resolve("elsewhere"), "--secret-file",
                secretFile.toString(), "--allow", "10.0.0.0/8", "--allow", "fd00::/8")) {
            HttpResponse<byte[]> put = Http.put(elsewhere.url("/ab/cd/key"), VALUE, ClusterSecret.HEADER, SECRET);

            assertEquals(403, put.statusCode());
            assertEquals("writes are accepted only from the addresses given with --allow\n", body(put));
            assertFalse(Files.exists(elsewhere.dir().resolve("ab/cd/key")));
            assertEquals(200, Http.get(elsewhere.url("/")).statusCode(), "reads stay open");
        }
    }

    @Test
    void withoutASecretTheVolumeWarnsThatAnyoneCanWrite() {
        try (VolumeProcess open = VolumeProcess.start(dir.resolve("open"))) {
            assertTrue(open.launcher().awaitOutput("WARNING: no --secret-file: anyone who can reach port " + open.port()
                    + " can write and delete values on this volume", QUICKLY), open.launcher().output());
        }
    }

    @Test
    void aMissingOrEmptySecretFileStopsTheVolumeWithTheReason() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty-secret"), "\n");
        Path missing = dir.resolve("missing-secret");

        JarProcess withEmpty = volume("--secret-file", empty.toString());
        JarProcess withMissing = volume("--secret-file", missing.toString());

        assertEquals(1, withEmpty.waitFor(QUICKLY));
        assertTrue(withEmpty.output().contains("minikv volume: secret file " + empty + ": the secret is empty"),
                withEmpty.output());
        assertEquals(1, withMissing.waitFor(QUICKLY));
        assertTrue(withMissing.output().contains("secret file " + missing + " does not exist"), withMissing.output());
    }

    @Test
    void signedReadsWithoutASecretOrABadNetworkAreUsageErrors() {
        JarProcess signedWithoutSecret = volume("--signed-reads");
        JarProcess badNetwork = volume("--secret-file", secretFile.toString(), "--allow", "10.0.0.0/33");

        assertEquals(2, signedWithoutSecret.waitFor(QUICKLY));
        assertTrue(signedWithoutSecret.output().contains("--signed-reads needs --secret-file"), signedWithoutSecret.output());
        assertEquals(2, badNetwork.waitFor(QUICKLY));
        assertTrue(badNetwork.output().contains("--allow 10.0.0.0/33: the prefix length must be at most 32"),
                badNetwork.output());
    }

    @Test
    void signedReadsOnAnNginxWithoutSecureLinkStopWithTheReason() throws IOException {
        Path nginx = Files.writeString(dir.resolve("nginx-without-secure-link"), "#!/bin/sh\n"
                + "echo 'configure arguments: --with-http_dav_module' >&2\n");
        Files.setPosixFilePermissions(nginx, PosixFilePermissions.fromString("rwxr-xr-x"));

        JarProcess launcher = volume("--nginx", nginx.toString(), "--secret-file", secretFile.toString(), "--signed-reads");

        assertEquals(1, launcher.waitFor(QUICKLY));
        assertTrue(launcher.output().contains(nginx + " was built without the secure_link module"), launcher.output());
    }

    private static JarProcess volume(String... options) {
        return VolumeBadInputIT.volume(Integer.toString(FreePorts.next()), dir.resolve("never-started").toString(), options);
    }

    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
