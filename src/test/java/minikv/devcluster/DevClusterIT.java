package minikv.devcluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import minikv.testing.Await;
import minikv.testing.FreePorts;
import minikv.testing.Http;
import minikv.testing.JarProcess;
import minikv.testing.Signals;
import minikv.testing.VolumeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dev-cluster, the launcher behind scripts/up and the benchmarks, run as they run it. */
class DevClusterIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final Pattern MEMBER = Pattern.compile("^dev-cluster: (volume|index) (\\S+) pid (\\d+)$", Pattern.MULTILINE);

    @TempDir
    Path dir;

    @Test
    void runsAClusterThatStoresAndServesAndStopsAllOfItOnTerm() {
        int port = FreePorts.consecutive(3);
        try (JarProcess cluster = startReady(port, "--volumes", "2", "--", "--replicas", "2")) {
            List<Long> pids = pids(cluster.stdout());
            assertEquals(3, pids.size(), cluster.stdout());
            assertTrue(cluster.stdout().contains("dev-cluster: index 127.0.0.1:" + port + " pid "), cluster.stdout());

            byte[] value = "stored through dev-cluster".getBytes(StandardCharsets.UTF_8);
            assertEquals(201, Http.put("http://127.0.0.1:" + port + "/key", value).statusCode());
            String replica = Http.get("http://127.0.0.1:" + port + "/key").headers().firstValue("Location").orElseThrow();
            assertTrue(replica.startsWith("http://127.0.0.1:" + (port + 1)) || replica.startsWith("http://127.0.0.1:" + (port + 2)),
                    replica);
            assertArrayEquals(value, Http.get(replica).body());
            assertTrue(Files.isDirectory(Members.indexDb(dir)));
            assertTrue(Files.isDirectory(Members.volumeDir(dir, 2)));

            cluster.signal("TERM");
            assertEquals(143, cluster.waitFor(PATIENCE), "128 + SIGTERM");
            for (long pid : pids) {
                assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "member " + pid + " still runs");
            }
            for (int p = port; p < port + 3; p++) {
                assertFalse(VolumeProcess.isListening(p), "port " + p + " still listens");
            }
        }
    }

    @Test
    void aMemberThatDiesTakesTheWholeClusterDownAndSaysWhich() {
        int port = FreePorts.consecutive(2);
        try (JarProcess cluster = startReady(port, "--volumes", "1", "--", "--replicas", "1")) {
            List<Long> pids = pids(cluster.stdout());
            long index = pids.get(pids.size() - 1);

            Signals.send(index, "KILL");

            assertEquals(1, cluster.waitFor(PATIENCE));
            assertTrue(cluster.output().contains("dev-cluster: index (pid " + index + ") exited with status 137; stopping the others"),
                    cluster.output());
            assertTrue(Await.until(() -> !VolumeProcess.isListening(port + 1), PATIENCE), "the volume was stopped too");
        }
    }

    @Test
    void aPortInUseStopsTheStartWithTheVolumesReason() throws IOException {
        int port = FreePorts.consecutive(3);
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port + 2));
            try (JarProcess cluster = start(port, "--volumes", "2")) {
                assertEquals(1, cluster.waitFor(PATIENCE));
                assertTrue(cluster.output().contains("cannot listen on port " + (port + 2)), cluster.output());
                assertTrue(cluster.output().contains("dev-cluster: volume2 exited with status"), cluster.output());
                assertFalse(VolumeProcess.isListening(port + 1), "volume1 was stopped again");
            }
        }
    }

    private JarProcess start(int port, String... more) {
        List<String> args = new ArrayList<>(List.of("dev-cluster", "--dir", dir.toString(), "--port", Integer.toString(port)));
        args.addAll(List.of(more));
        return JarProcess.start(args.toArray(String[]::new));
    }

    private JarProcess startReady(int port, String... more) {
        JarProcess cluster = start(port, more);
        if (!cluster.awaitOutput("dev-cluster: ready", PATIENCE)) {
            cluster.close();
            throw new AssertionError("dev-cluster did not get ready:\n" + cluster.output());
        }
        return cluster;
    }

    private static List<Long> pids(String stdout) {
        Matcher m = MEMBER.matcher(stdout);
        List<Long> pids = new ArrayList<>();
        while (m.find()) {
            pids.add(Long.parseLong(m.group(3)));
        }
        return pids;
    }
}
