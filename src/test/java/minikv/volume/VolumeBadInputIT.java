package minikv.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import minikv.testing.FreePorts;
import minikv.testing.JarProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each mistake ends the launcher quickly, non-zero, with a message naming what is wrong. */
class VolumeBadInputIT {

    /** waitFor fails the test if the launcher is still running by then. */
    private static final Duration QUICKLY = Duration.ofSeconds(10);

    @TempDir
    Path temp;

    @ParameterizedTest
    @ValueSource(strings = {"abc", "0", "70000"})
    void badPort(String port) {
        JarProcess launcher = volume(port, temp.resolve("volume").toString());

        assertEquals(2, launcher.waitFor(QUICKLY));
        assertTrue(launcher.output().contains("(PORT): port " + port), launcher.output());
    }

    @Test
    void portInUse() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();

            JarProcess launcher = volume(Integer.toString(port), temp.resolve("volume").toString());

            assertEquals(1, launcher.waitFor(QUICKLY));
            assertTrue(launcher.output().contains("cannot listen on port " + port + " of 127.0.0.1"),
                    launcher.output());
        }
    }

    /** Even root cannot create a directory inside a regular file. */
    @Test
    void dirThatCannotBeCreated() throws IOException {
        Path file = Files.writeString(temp.resolve("file"), "");
        Path dir = file.resolve("volume");

        JarProcess launcher = volume(freePort(), dir.toString());

        assertEquals(1, launcher.waitFor(QUICKLY));
        assertTrue(launcher.output().contains("cannot create volume directory " + dir), launcher.output());
    }

    @Test
    void dirThatIsARegularFile() throws IOException {
        Path file = Files.writeString(temp.resolve("file"), "");

        JarProcess launcher = volume(freePort(), file.toString());

        assertEquals(1, launcher.waitFor(QUICKLY));
        assertTrue(launcher.output().contains(file + " exists and is not a directory"), launcher.output());
    }

    @Test
    void nginxMissing() {
        JarProcess launcher = volume(freePort(), temp.resolve("volume").toString(), "--nginx", "/nonexistent");

        assertEquals(1, launcher.waitFor(QUICKLY));
        assertTrue(launcher.output().contains("nginx not found (looked for /nonexistent"), launcher.output());
        assertTrue(launcher.output().contains("apt-get install nginx"), launcher.output());
    }

    @Test
    void nginxWithoutTheDavModule() throws IOException {
        Path nginx = Files.writeString(temp.resolve("nginx"),
                "#!/bin/sh\necho 'nginx version: nginx/1.27.0' >&2\necho 'configure arguments: --with-http_ssl_module' >&2\n");
        Files.setPosixFilePermissions(nginx, PosixFilePermissions.fromString("rwxr-xr-x"));

        JarProcess launcher = volume(freePort(), temp.resolve("volume").toString(), "--nginx", nginx.toString());

        assertEquals(1, launcher.waitFor(QUICKLY));
        assertTrue(launcher.output().contains(nginx + " was built without the WebDAV module"), launcher.output());
    }

    @Test
    void nginxThatFailsToStartIsReportedWithItsError() throws IOException {
        Path template = Files.writeString(temp.resolve("broken.conf"), "events {}\nbogus_directive on;\n");

        JarProcess launcher = volume(freePort(), temp.resolve("volume").toString(), "--template", template.toString());

        assertEquals(1, launcher.waitFor(QUICKLY));
        assertTrue(launcher.output().contains("minikv volume: nginx exited with status 1 before it answered"),
                launcher.output());
        assertTrue(launcher.output().contains("unknown directive \"bogus_directive\""), launcher.output());
    }

    @Test
    void templateWithAPlaceholderTheLauncherDoesNotKnow() throws IOException {
        Path template = Files.writeString(temp.resolve("unknown.conf"), "events {}\n# {{shared_secret}}\n");

        JarProcess launcher = volume(freePort(), temp.resolve("volume").toString(), "--template", template.toString());

        assertEquals(1, launcher.waitFor(QUICKLY));
        assertTrue(launcher.output().contains("cannot render template " + template + ": the template uses"
                + " {{shared_secret}}"), launcher.output());
    }

    private static String freePort() {
        return Integer.toString(FreePorts.next());
    }

    static JarProcess volume(String port, String dir, String... options) {
        String[] args = new String[4 + options.length];
        args[0] = "volume";
        args[1] = port;
        args[2] = dir;
        args[3] = "--bind=127.0.0.1";
        System.arraycopy(options, 0, args, 4, options.length);
        return JarProcess.start(args);
    }
}
