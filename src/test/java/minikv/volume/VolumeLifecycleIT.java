package minikv.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import minikv.testing.FreePorts;
import minikv.testing.Http;
import minikv.testing.JarProcess;
import minikv.testing.VolumeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting, restarting and stopping a volume, against real nginx started by the launcher jar. */
class VolumeLifecycleIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final byte[] VALUE = "value".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path temp;

    @Test
    void nginxKilledBehindTheLaunchersBackIsRestartedAndServes() {
        try (VolumeProcess volume = VolumeProcess.start(temp)) {
            ProcessHandle master = ProcessHandle.of(volume.nginxMasterPid()).orElseThrow();
            List<ProcessHandle> workers = master.children().toList();
            assertFalse(workers.isEmpty());

            master.destroyForcibly();

            assertTrue(volume.launcher().awaitOutput("nginx restarted", WAIT), volume.launcher().output());
            assertNotEquals(master.pid(), volume.nginxMasterPid());
            workers.forEach(worker -> assertTrue(exited(worker), "orphaned worker " + worker.pid() + " still runs"));
            assertEquals(201, Http.put(volume.url("/after/crash"), VALUE).statusCode());
            assertArrayEquals(VALUE, Http.get(volume.url("/after/crash")).body());
        }
    }

    @Test
    void sigtermStopsNginxAndExitsZeroWithinSeconds() {
        try (VolumeProcess volume = VolumeProcess.start(temp)) {
            ProcessHandle master = ProcessHandle.of(volume.nginxMasterPid()).orElseThrow();
            List<ProcessHandle> nginx = Stream.concat(Stream.of(master), master.descendants()).toList();
            Instant signalled = Instant.now();

            volume.launcher().signal("TERM");

            assertEquals(0, volume.launcher().waitFor(WAIT));
            assertTrue(Duration.between(signalled, Instant.now()).compareTo(Duration.ofSeconds(5)) < 0);
            assertFalse(VolumeProcess.isListening(volume.port()));
            nginx.forEach(process -> assertFalse(process.isAlive(), "nginx pid " + process.pid() + " left behind"));
        }
    }

    @Test
    void restartsOnTheSamePortAndDirAfterTheLauncherWasKilled() {
        VolumeProcess killed = VolumeProcess.start(temp);
        try {
            long orphanedMaster = killed.nginxMasterPid();
            killed.launcher().signal("KILL");
            killed.launcher().waitFor(WAIT);
            assertEquals(200, Http.get(killed.url("/")).statusCode(), "the orphaned nginx still holds the port");

            try (VolumeProcess restarted = VolumeProcess.start(killed.port(), temp)) {
                assertTrue(restarted.launcher().output().contains("left running by an earlier launcher"));
                assertNotEquals(orphanedMaster, restarted.nginxMasterPid());
                assertFalse(ProcessHandle.of(orphanedMaster).map(ProcessHandle::isAlive).orElse(false));
                assertEquals(201, Http.put(restarted.url("/after/restart"), VALUE).statusCode());
            }
        } finally {
            killed.close();
        }
    }

    @Test
    void aSecondLauncherOnTheSameDirIsRefused() {
        try (VolumeProcess volume = VolumeProcess.start(temp);
                JarProcess second = JarProcess.start("volume", Integer.toString(FreePorts.next()), temp.toString(),
                        "--bind", "127.0.0.1")) {
            assertEquals(1, second.waitFor(WAIT));
            assertTrue(second.output().contains("is already served by nginx"), second.output());
            assertEquals(200, Http.get(volume.url("/")).statusCode());
        }
    }

    @Test
    void startedAsRootTheWorkersWriteAsTheDirectoryOwner() throws IOException {
        assumeTrue(new UnixSystem().getUid() == 0, "only root can start nginx with workers of another user");
        UserPrincipal daemon = temp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("daemon");
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwx--x--x"));
        Path dir = Files.createDirectory(temp.resolve("owned-by-daemon"));
        Files.setOwner(dir, daemon);

        try (VolumeProcess volume = VolumeProcess.start(dir)) {
            assertEquals(201, Http.put(volume.url("/a/b/key"), VALUE).statusCode());
            assertEquals(daemon, Files.getOwner(dir.resolve("a/b/key")));
        }
    }

    @Test
    void accessLogWhenAskedForAndNotServed() throws IOException {
        try (VolumeProcess volume = VolumeProcess.start(temp, "--access-log")) {
            Http.get(volume.url("/logged/request"));

            // nginx logs a request after answering it: the line may land a moment after the response.
            assertTrue(eventually(() -> Files.readString(temp.resolve(".minikv/access.log"))
                    .contains("GET /logged/request")));
            assertEquals(404, Http.get(volume.url("/.minikv/access.log")).statusCode());
        }
    }

    @Test
    void rendersTheTemplateGivenWithTemplate() throws IOException {
        String custom = builtInTemplate().replace("    server {\n",
                "    server {\n        add_header X-Volume-Template custom;\n");
        Path template = Files.writeString(temp.resolve("custom.conf"), custom);

        try (VolumeProcess volume = VolumeProcess.start(temp.resolve("volume"), "--template", template.toString())) {
            assertEquals("custom", Http.get(volume.url("/")).headers().firstValue("X-Volume-Template").orElse(""));
        }
    }

    private static String builtInTemplate() throws IOException {
        try (InputStream template = VolumeLifecycleIT.class.getResourceAsStream("/nginx-templates/volume.conf")) {
            return new String(template.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static boolean eventually(Callable<Boolean> condition) {
        Instant deadline = Instant.now().plus(WAIT);
        try {
            while (!condition.call()) {
                if (Instant.now().isAfter(deadline)) {
                    return false;
                }
                Thread.sleep(20);
            }
            return true;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static boolean exited(ProcessHandle process) {
        try {
            process.onExit().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return !process.isAlive();
        }
    }
}
