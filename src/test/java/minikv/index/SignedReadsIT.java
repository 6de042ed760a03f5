package minikv.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import minikv.security.ClusterSecret;
import minikv.testing.Cluster;
import minikv.testing.FreePorts;
import minikv.testing.Http;
import minikv.testing.JarProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster whose volumes take writes only with the cluster secret and serve reads only through
 * links the index signed, good for two seconds ({@code --link-ttl 2s}).
 */
class SignedReadsIT {

    private static final String SECRET = "5b0e2c7d9a1f3e4c6b8d0a2e4f6c8b0a";
    private static final byte[] VALUE = "signed and sealed".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path dir;
    static Cluster cluster;

    @BeforeAll
    static void startCluster() throws IOException {
        String secretFile = Files.writeString(dir.resolve("secret"), SECRET).toString();
        cluster = Cluster.startWithVolumeOptions(dir, 3, List.of("--secret-file", secretFile, "--signed-reads"),
                "--secret-file", secretFile, "--signed-reads", "--link-ttl", "2s");
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    void theIndexsLinkServesGetsRangesAndHeads() {
        assertEquals(201, Http.put(cluster.url("/served"), VALUE).statusCode(), "the index writes with the secret");

        String location = location("GET", "/served");
        assertTrue(location.matches("http://127\\.0\\.0\\.1:\\d+/sv\\w\\w/\\w\\w/\\w\\w/L3NlcnZlZA==\\?md5=[\\w-]{22}&expires=\\d+"),
                location);
        assertArrayEquals(VALUE, Http.get(location).body());

        HttpResponse<byte[]> range = Http.get(location("GET", "/served"), "Range", "bytes=7-9");
        assertEquals(206, range.statusCode());
        assertEquals("and", new String(range.body(), StandardCharsets.UTF_8));

        HttpResponse<byte[]> head = Http.send("HEAD", location("HEAD", "/served"));
        assertEquals(200, head.statusCode());
        assertEquals(String.valueOf(VALUE.length), head.headers().firstValue("Content-Length").orElse(""));
    }

    @Test
    void aCopiedLinkStopsWorkingAfterItsTtl() throws InterruptedException {
        assertEquals(201, Http.put(cluster.url("/expiring"), VALUE).statusCode());
        String location = location("GET", "/expiring");
        assertEquals(200, Http.get(location).statusCode());

        long expires = Long.parseLong(location.substring(location.indexOf("&expires=") + 9));
        assertTrue(expires - System.currentTimeMillis() / 1000 <= 2, "the link outlives its 2 s TTL: " + location);
        while (System.currentTimeMillis() / 1000 <= expires) {
            Thread.sleep(100);
        }

        HttpResponse<byte[]> late = Http.get(location);
        assertEquals(403, late.statusCode());
        assertEquals("this link has expired; ask the index for a new one\n", body(late));
        assertArrayEquals(VALUE, Http.get(location("GET", "/expiring")).body(), "a fresh link works again");
    }

    @Test
    void anUnsignedOrAlteredLinkNeverWorks() {
        assertEquals(201, Http.put(cluster.url("/guarded"), VALUE).statusCode());
        assertEquals(201, Http.put(cluster.url("/other"), VALUE).statusCode());
        String signed = location("GET", "/guarded");
        String path = signed.substring(0, signed.indexOf('?'));
        String signature = signed.substring(signed.indexOf("md5=") + 4, signed.indexOf('&'));
        String expires = signed.substring(signed.indexOf("&expires=") + 9);
        String otherKeysLink = location("GET", "/other");

        List<String> forgeries = List.of(
                path,
                signed.replace(signature, (signature.charAt(0) == 'A' ? "B" : "A") + signature.substring(1)),
                signed.replace("&expires=" + expires, "&expires=" + (Long.parseLong(expires) + 3600)),
                path + otherKeysLink.substring(otherKeysLink.indexOf('?')));
        for (String forged : forgeries) {
            HttpResponse<byte[]> refused = Http.get(forged);
            assertEquals(403, refused.statusCode(), forged);
            assertEquals("this volume serves only links signed by the index\n", body(refused), forged);
        }
    }

    @Test
    void anIndexWithoutTheSecretCannotWriteAndSaysWhy() {
        int port = FreePorts.next();
        List<String> args = new ArrayList<>(List.of("index", "--bind", "127.0.0.1", "--port", Integer.toString(port),
                "--db", dir.resolve("secretless-db").toString()));
        cluster.volumes().forEach(v -> args.add(v.address()));
        try (JarProcess secretless = JarProcess.start(args.toArray(String[]::new))) {
            assertTrue(secretless.awaitOutput("index 127.0.0.1:" + port + " ", Duration.ofSeconds(30)), secretless.output());

            HttpResponse<byte[]> put = Http.put("http://127.0.0.1:" + port + "/secretless", VALUE);

            assertEquals(502, put.statusCode());
            assertTrue(body(put).contains("answered 403 to PUT") && body(put).contains("--secret-file"), body(put));
            assertEquals(List.of(), cluster.replicaFiles("/secretless"));
        }
    }

    @Test
    void theVolumesTakeWritesOnlyFromTheIndex() {
        assertEquals(201, Http.put(cluster.url("/written"), VALUE).statusCode());
        String replica = location("GET", "/written");
        String path = replica.substring(0, replica.indexOf('?'));

        assertEquals(403, Http.put(path, "overwritten".getBytes(StandardCharsets.UTF_8)).statusCode());
        assertEquals(403, Http.delete(path).statusCode());
        assertArrayEquals(VALUE, cluster.read("/written"));

        assertEquals(204, Http.delete(cluster.url("/written")).statusCode(), "the index deletes with the secret");
        assertEquals(List.of(), cluster.replicaFiles("/written"));
    }

    /** Operator tools read replicas (and listings) with the secret instead of a signature. */
    @Test
    void theSecretReadsWithoutASignature() {
        assertEquals(201, Http.put(cluster.url("/tooling"), VALUE).statusCode());
        String signed = location("GET", "/tooling");
        URI replica = URI.create(signed.substring(0, signed.indexOf('?')));

        assertArrayEquals(VALUE, Http.get(replica.toString(), ClusterSecret.HEADER, SECRET).body());
        String listing = replica.resolve("./").toString();
        assertEquals(403, Http.get(listing).statusCode(), "listings show keys: they need the secret too");
        assertEquals(200, Http.get(listing, ClusterSecret.HEADER, SECRET).statusCode());
    }

    @Test
    void theIndexRefusesToStartWithoutAUsableSecret() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty-secret"), "");
        JarProcess signedWithoutSecret = JarProcess.start("index", "--bind", "127.0.0.1", "--signed-reads",
                cluster.volumes().get(0).address());
        JarProcess emptySecret = JarProcess.start("index", "--bind", "127.0.0.1", "--secret-file", empty.toString(),
                cluster.volumes().get(0).address());

        assertEquals(2, signedWithoutSecret.waitFor(Duration.ofSeconds(20)));
        assertTrue(signedWithoutSecret.output().contains("--signed-reads needs --secret-file"), signedWithoutSecret.output());
        assertEquals(1, emptySecret.waitFor(Duration.ofSeconds(20)));
        assertTrue(emptySecret.output().contains("index: secret file " + empty + ": the secret is empty"),
                emptySecret.output());
    }

    private static String location(String method, String key) {
        HttpResponse<byte[]> redirect = Http.send(method, cluster.url(key));
        assertEquals(302, redirect.statusCode(), method + " " + key + ": " + body(redirect));
        return redirect.headers().firstValue("Location").orElseThrow();
    }

    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
