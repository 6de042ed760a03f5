package minikv.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import minikv.testing.FreePorts;
import minikv.testing.Http;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The rendered volume config served by nginx in a container, its only file system the image's
 * (upstream nginx, or this machine's nginx alone, see {@link #NGINX_IMAGE}): the template must not
 * depend on what else a host has. Skipped where no Docker engine is reachable.
 */
@Testcontainers(disabledWithoutDocker = true)
class VolumeContainerIT {

    /**
     * The image of a volume host, here and in MultiHostIT: {@code MINIKV_VOLUME_IMAGE}, which
     * scripts/setup-docker builds from this machine's nginx where no registry can be reached,
     * else upstream nginx.
     */
    static final DockerImageName NGINX_IMAGE = DockerImageName.parse(Optional.ofNullable(
            System.getenv("MINIKV_VOLUME_IMAGE")).filter(name -> !name.isBlank()).orElse("nginx:1.27"));
    private static final String DIR = "/data/volume";
    private static final RuntimeFiles FILES = new RuntimeFiles(Path.of(DIR));

    @Container
    private static final GenericContainer<?> NGINX = new GenericContainer<>(NGINX_IMAGE)
            .withCopyToContainer(Transferable.of(renderedConfig()), FILES.config().toString())
            .withCommand("nginx", "-p", FILES.runtimeDir() + "/", "-c", FILES.config().toString(),
                    "-e", "stderr", "-g", "daemon off;")
            .withExposedPorts(80)
            .withCreateContainerCmdModifier(create -> create.getHostConfig().withPortBindings(loopback(FreePorts.next())))
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

    /** Port 80 of a container published on {@code hostPort} of 127.0.0.1 only, whatever the engine's default. */
    static PortBinding loopback(int hostPort) {
        return new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", hostPort), ExposedPort.tcp(80));
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
