package minikv.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.dockerjava.api.DockerClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import minikv.placement.Placement;
import minikv.security.ClusterSecret;
import minikv.testing.Await;
import minikv.testing.FreePorts;
import minikv.testing.Http;
import minikv.testing.JarProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Each volume on a host of its own (a container running nginx with the rendered volume config
 * and the cluster secret), the index on this machine. One host is cut off the network, paused
 * (its processes frozen: the host accepts connections and takes requests, and never answers)
 * or killed, then brought back: whatever was acknowledged stays
 * readable, writes fail whole, deletes finish on retry, and no host keeps a stray file. One host
 * restarted with an empty disk gets its replicas back from {@code verify --repair}.
 * Skipped where no Docker engine is reachable.
 */
@Testcontainers(disabledWithoutDocker = true)
class MultiHostIT {

    private static final String SECRET = "8c1e4a7f2b9d3c6e0a5f8b1d4e7c2a9f";
    private static final RuntimeFiles FILES = new RuntimeFiles(Path.of("/data/volume"));
    private static final Duration PATIENCE = Duration.ofSeconds(15);
    /** What a careful client allows one attempt before asking the index again. */
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(2);
    private static final Network NETWORK = Network.newNetwork();

    /** What happens to one host. */
    enum HostFault { PARTITIONED, PAUSED, KILLED }

    @Container
    private static final GenericContainer<?> HOST1 = volumeHost();
    @Container
    private static final GenericContainer<?> HOST2 = volumeHost();
    @Container
    private static final GenericContainer<?> HOST3 = volumeHost();

    @TempDir
    static Path dir;
    static JarProcess index;
    static String indexUrl;
    /** Keys that must read back, with their values; and those unlinked, whose files stay. */
    static final Map<String, byte[]> expected = new LinkedHashMap<>();

    @BeforeAll
    static void startIndex() throws IOException {
        Path secretFile = Files.writeString(dir.resolve("secret"), SECRET);
        int port = FreePorts.next();
        index = VolumeHosts.startIndex(port, dir.resolve("indexdb"), hosts(), "--secret-file", secretFile.toString());
        indexUrl = "http://127.0.0.1:" + port;
    }

    /** The hosts are stopped here, before the extension would, so that the network can go: without Ryuk nothing else removes it. */
    @AfterAll
    static void stopAll() {
        index.close();
        hosts().forEach(GenericContainer::stop);
        NETWORK.close();
    }

    @ParameterizedTest
    @EnumSource(HostFault.class)
    void oneHostLostAndBack(HostFault fault) {
        String prefix = "/" + fault.name().toLowerCase() + "/";
        put(prefix + "kept", random(200_000, fault.ordinal()));
        put(prefix + "doomed", random(1000, 10 + fault.ordinal()));
        GenericContainer<?> lost = HOST2;

        inflict(fault, lost);

        assertReadable(prefix + "kept");
        int refused = Await.status(503, () -> Http.put(indexUrl + prefix + "refused", random(10, 1)), PATIENCE);
        assertEquals(503, refused, "a PUT needs every replica's host");
        int delete = Http.delete(indexUrl + prefix + "doomed").statusCode();
        assertTrue(delete == 502 || delete == 503, "DELETE answered " + delete);
        assertEquals(404, Http.get(indexUrl + prefix + "doomed").statusCode(), "a half-deleted key reads as absent");

        recover(fault, lost);

        assertEquals(204, Await.status(204, () -> Http.delete(indexUrl + prefix + "doomed"), PATIENCE));
        expected.remove(prefix + "doomed");
        assertEquals(201, Await.status(201, () -> Http.put(indexUrl + prefix + "after", bytes("after")), PATIENCE));
        expected.put(prefix + "after", bytes("after"));
        expected.keySet().forEach(MultiHostIT::assertReadable);
        assertEachHostHoldsExactlyTheLiveReplicas();
    }

    /**
     * A host comes back from a restart with an empty disk (a replaced drive, say): every value
     * still reads from the other hosts meanwhile, and {@code verify --repair}, run against the
     * serving index, copies each missing replica back onto it.
     */
    @Test
    void aHostRestartedWithAnEmptyDiskIsRefilledByVerifyRepair() throws Exception {
        for (int i = 0; i < 20; i++) {
            put("/emptied/" + i, random(500 + i * 100, 100 + i));
        }
        GenericContainer<?> emptied = HOST3;
        ExecResult wipe = emptied.execInContainer("find", FILES.volumeDir().toString(), "-path",
                FILES.volumeDir() + "/sv*", "-delete");
        assertEquals(0, wipe.getExitCode(), wipe.getStderr());
        DockerClientFactory.instance().client().restartContainerCmd(emptied.getContainerId()).exec();
        assertEquals(Set.of(), files(emptied), "the disk is empty");
        expected.keySet().forEach(MultiHostIT::assertReadable);

        Path secretFile = dir.resolve("secret");
        List<String> args = new ArrayList<>(List.of("verify", "--repair", "--secret-file", secretFile.toString(),
                "--index", indexUrl));
        hosts().forEach(host -> args.add(address(host)));
        try (JarProcess verify = JarProcess.start(args.toArray(String[]::new))) {
            int exit = verify.waitFor(Duration.ofMinutes(2));
            assertEquals(0, exit, verify.output());
            assertTrue(verify.output().contains("repaired /emptied/0: copied to " + address(emptied)), verify.output());
        }
        assertEachHostHoldsExactlyTheLiveReplicas();
        expected.keySet().forEach(MultiHostIT::assertReadable);
    }

    private static void inflict(HostFault fault, GenericContainer<?> host) {
        DockerClient docker = DockerClientFactory.instance().client();
        String id = host.getContainerId();
        switch (fault) {
            case PARTITIONED -> docker.disconnectFromNetworkCmd().withContainerId(id).withNetworkId(NETWORK.getId()).exec();
            case PAUSED -> docker.pauseContainerCmd(id).exec();
            case KILLED -> docker.killContainerCmd(id).exec();
        }
    }

    private static void recover(HostFault fault, GenericContainer<?> host) {
        DockerClient docker = DockerClientFactory.instance().client();
        String id = host.getContainerId();
        switch (fault) {
            case PARTITIONED -> docker.connectToNetworkCmd().withContainerId(id).withNetworkId(NETWORK.getId()).exec();
            case PAUSED -> docker.unpauseContainerCmd(id).exec();
            case KILLED -> docker.startContainerCmd(id).exec(); // the same host port: it is fixed
        }
    }

    /** Read as a client does: through the index, retried with a short timeout until a host that is up serves it. */
    private static void assertReadable(String key) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        String problem = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<byte[]> redirect = Http.get(indexUrl + key);
                if (redirect.statusCode() == 302) {
                    HttpResponse<byte[]> value = Http.get(redirect.headers().firstValue("Location").orElseThrow(),
                            CLIENT_TIMEOUT);
                    if (value.statusCode() == 200) {
                        assertArrayEquals(expected.get(key), value.body(), key);
                        return;
                    }
                }
                problem = "answered " + redirect.statusCode();
            } catch (UncheckedIOException e) {
                problem = e.getCause().toString();
            }
            Await.pause(Duration.ofMillis(100));
        }
        fail(key + " was not readable within " + PATIENCE + ": " + problem);
    }

    /**
     * Within PATIENCE: a refused PUT whose outcome on a hung host was unknown is rolled back in
     * the background once the host answers again (every 5 s, then swept 2 s later), so its
     * replicas on the other hosts may outlive the fault by some seconds.
     */
    private static void assertEachHostHoldsExactlyTheLiveReplicas() {
        Await.until(() -> hosts().stream().allMatch(host -> liveReplicas(host).equals(files(host))), PATIENCE);
        for (GenericContainer<?> host : hosts()) {
            assertEquals(liveReplicas(host), files(host), address(host));
        }
    }

    private static Set<String> liveReplicas(GenericContainer<?> host) {
        Placement placement = new Placement(hosts().stream().map(MultiHostIT::address).toList(), 3, 10);
        Set<String> wanted = new HashSet<>();
        for (String key : expected.keySet()) {
            placement.locations(key.getBytes(StandardCharsets.UTF_8)).stream()
                    .filter(location -> Placement.volumeOf(location).equals(address(host)))
                    .forEach(location -> wanted.add(FILES.volumeDir()
                            + Placement.replicaPath(location, key.getBytes(StandardCharsets.UTF_8))));
        }
        return wanted;
    }

    private static Set<String> files(GenericContainer<?> host) {
        return new HashSet<>(VolumeHosts.find(host, FILES.volumeDir().toString(), "-type", "f",
                "-not", "-path", FILES.runtimeDir() + "/*"));
    }

    private static void put(String key, byte[] value) {
        assertEquals(201, Http.put(indexUrl + key, value).statusCode(), key);
        expected.put(key, value);
    }

    /**
     * nginx as a volume host, on a fixed host port (a killed container started again keeps it,
     * so the index's volume list stays right), with the volume config and the cluster secret.
     */
    private static GenericContainer<?> volumeHost() {
        int hostPort = FreePorts.next();
        return new GenericContainer<>(VolumeContainerIT.NGINX_IMAGE)
                .withNetwork(NETWORK)
                .withCopyToContainer(Transferable.of(renderedConfig()), FILES.config().toString())
                .withCommand("nginx", "-p", FILES.runtimeDir() + "/", "-c", FILES.config().toString(),
                        "-e", "stderr", "-g", "daemon off;")
                .withExposedPorts(80)
                .withCreateContainerCmdModifier(create -> create.getHostConfig().withPortBindings(
                        VolumeContainerIT.loopback(hostPort)))
                .waitingFor(Wait.forHttp("/").forStatusCode(200));
    }

    private static String renderedConfig() {
        VolumeAccess access = new VolumeAccess(Optional.of(ClusterSecret.of(SECRET)), List.of(), false);
        try {
            return VolumeTemplateTest.render(new VolumeSettings(FILES, "0.0.0.0", 80,
                    Optional.of(new WorkerUser("root", "root")), false, access));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<GenericContainer<?>> hosts() {
        return List.of(HOST1, HOST2, HOST3);
    }

    private static String address(GenericContainer<?> host) {
        return VolumeHosts.address(host);
    }

    private static byte[] random(int size, long seed) {
        return VolumeHosts.random(size, seed);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
