package minikv.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import minikv.testing.Http;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The rendered volume config served by upstream nginx (the official image) rather than Debian's:
 * the template must not depend on one distribution's build. Skipped where no Docker engine is
 * reachable.
 */
@Testcontainers(disabledWithoutDocker = true)
class VolumeContainerIT {

    /** Upstream nginx; also the image of MultiHostIT's volumes. */
    static final DockerImageName NGINX_IMAGE = DockerImageName.parse("nginx:1.27");
    private static final String DIR = "/data/volume";
    private static final RuntimeFiles FILES = new RuntimeFiles(Path.of(DIR));

    @Container
    private static final GenericContainer<?> NGINX = new GenericContainer<>(NGINX_IMAGE)
            .withCopyToContainer(Transferable.of(renderedConfig()), FILES.config().toString())
            .withCommand("nginx", "-p", FILES.runtimeDir() + "/", "-c", FILES.config().toString(),
                    "-e", "stderr", "-g", "daemon off;")
            .withExposedPorts(80)
            .waitingFor(Wait.forHttp("/").forStatusCode(200));

    @Test
    void putGetDelete() {
        String url = "http://" + NGINX.getHost() + ":" + NGINX.getMappedPort(80) + "/ab/cd/key";
        byte[] value = "stored by upstream nginx".getBytes(StandardCharsets.UTF_8);

        assertEquals(201, Http.put(url, value).statusCode());
        assertArrayEquals(value, Http.get(url).body());
        assertEquals(204, Http.delete(url).statusCode());
        assertEquals(404, Http.get(url).statusCode());
    }

    /** The container runs nginx as root and DIR belongs to root. */
    private static String renderedConfig() {
        try {
            return VolumeTemplateTest.render(
                    new VolumeSettings(FILES, "0.0.0.0", 80, Optional.of(new WorkerUser("root", "root")), false));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
