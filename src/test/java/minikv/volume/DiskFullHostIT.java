package minikv.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import minikv.placement.Placement;
import minikv.testing.Await;
import minikv.testing.FreePorts;
import minikv.testing.Http;
import minikv.testing.JarProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Three volume hosts, one of them with a disk of 6 MiB (its volume directory a tmpfs, the temp
 * files of uploads included, so nginx's rename into place stays one rename on one file system).
 * A PUT that fills that disk half-way through its body fails whole: nothing of it stays on any
 * host, no partial upload is left on the full one, and every value stored before reads back.
 * DELETE works on the full disk, and once it has room again the same PUT succeeds.
 * Skipped where no Docker engine is reachable.
 */
@Testcontainers(disabledWithoutDocker = true)
class DiskFullHostIT {

    private static final String DIR = "/data/volume";
    private static final RuntimeFiles FILES = new RuntimeFiles(Path.of(DIR));
    /** Outside the tmpfs, which hides whatever the image or a copy put under DIR. */
    private static final String CONFIG = "/etc/minikv-volume.conf";
    private static final int DISK_BYTES = 6 << 20;
    private static final int SMALL = 1536 << 10;
    private static final int BIG = 3584 << 10;
    private static final Duration PATIENCE = Duration.ofSeconds(15);

    @Container
    private static final GenericContainer<?> HOST1 = volumeHost(false);
    @Container
    private static final GenericContainer<?> HOST2 = volumeHost(false);
    @Container
    private static final GenericContainer<?> FULL = volumeHost(true);

    @TempDir
    static Path dir;
    static JarProcess index;
    static String indexUrl;

    @BeforeAll
    static void startIndex() {
        int port = FreePorts.next();
        index = VolumeHosts.startIndex(port, dir.resolve("indexdb"), hosts());
        indexUrl = "http://127.0.0.1:" + port;
    }

    @AfterAll
    static void stopIndex() {
        index.close();
    }

    @Test
    void aPutThatFillsAHostsDiskFailsWholeAndTheSamePutSucceedsOnceThereIsRoom() {
        byte[] a = VolumeHosts.random(SMALL, 1);
        byte[] b = VolumeHosts.random(SMALL, 2);
        byte[] big = VolumeHosts.random(BIG, 3);
        assertEquals(201, Http.put(indexUrl + "/full/a", a).statusCode());
        assertEquals(201, Http.put(indexUrl + "/full/b", b).statusCode());

        HttpResponse<byte[]> refused = Http.put(indexUrl + "/full/big", big);
        String why = new String(refused.body(), StandardCharsets.UTF_8);
        assertTrue(refused.statusCode() >= 500, "a PUT the full disk cannot take answered " + refused.statusCode() + ": " + why);
        assertTrue(why.contains(address(FULL)), "the answer names the full host: " + why);

        assertEquals(404, Http.get(indexUrl + "/full/big").statusCode(), "nothing of the failed PUT is visible");
        boolean rolledBack = Await.until(() -> hosts().stream().noneMatch(host -> replicaExists(host, "/full/big")), PATIENCE);
        assertTrue(rolledBack, "no host keeps a replica of the failed PUT");
        assertEquals(List.of(), VolumeHosts.find(FULL, FILES.bodyTempDir().toString(), "-type", "f"), "no partial upload left on the full disk");
        for (GenericContainer<?> host : hosts()) {
            assertArrayEquals(a, Http.get(replicaUrl(host, "/full/a")).body(), "/full/a on " + address(host));
            assertArrayEquals(b, Http.get(replicaUrl(host, "/full/b")).body(), "/full/b on " + address(host));
        }

        assertEquals(204, Http.delete(indexUrl + "/full/a").statusCode(), "a DELETE needs no room");
        assertEquals(201, Http.put(indexUrl + "/full/big", big).statusCode(), "the same PUT, now that there is room");
        for (GenericContainer<?> host : hosts()) {
            assertArrayEquals(big, Http.get(replicaUrl(host, "/full/big")).body(), "/full/big on " + address(host));
        }
    }

    /**
     * nginx with the built-in volume config. The small host's volume directory is a tmpfs,
     * empty at start, so a shell makes the runtime directory before nginx starts.
     */
    private static GenericContainer<?> volumeHost(boolean smallDisk) {
        String nginx = "nginx -p " + FILES.runtimeDir() + "/ -c " + CONFIG + " -e stderr -g 'daemon off;'";
        GenericContainer<?> host = new GenericContainer<>(VolumeContainerIT.NGINX_IMAGE)
                .withCopyToContainer(Transferable.of(renderedConfig()), CONFIG)
                .withCommand("sh", "-c", "mkdir -p " + FILES.bodyTempDir() + " && exec " + nginx)
                .withExposedPorts(80)
                .withCreateContainerCmdModifier(create -> create.getHostConfig().withPortBindings(
                        VolumeContainerIT.loopback(FreePorts.next())))
                .waitingFor(Wait.forHttp("/").forStatusCode(200));
        return smallDisk ? host.withTmpFs(Map.of(DIR, "rw,size=" + DISK_BYTES)) : host;
    }

    private static String renderedConfig() {
        try {
            return VolumeTemplateTest.render(new VolumeSettings(FILES, "0.0.0.0", 80,
                    Optional.of(new WorkerUser("root", "root")), false));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean replicaExists(GenericContainer<?> host, String key) {
        return Http.get(replicaUrl(host, key)).statusCode() != 404;
    }

    /** The key's replica on {@code host}, where placement puts it (every host holds every key: 3 replicas). */
    private static String replicaUrl(GenericContainer<?> host, String key) {
        Placement placement = new Placement(hosts().stream().map(DiskFullHostIT::address).toList(), 3, 10);
        String location = placement.locations(key.getBytes(StandardCharsets.UTF_8)).stream()
                .filter(l -> Placement.volumeOf(l).equals(address(host))).findFirst().orElseThrow();
        return "http://" + address(host) + Placement.replicaPath(location, key.getBytes(StandardCharsets.UTF_8));
    }

    private static List<GenericContainer<?>> hosts() {
        return List.of(HOST1, HOST2, FULL);
    }

    private static String address(GenericContainer<?> host) {
        return VolumeHosts.address(host);
    }
}
