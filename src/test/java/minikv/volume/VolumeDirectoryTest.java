package minikv.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumeDirectoryTest {

    @TempDir
    Path temp;

    @Test
    void createsTheDirectoryAndItsHiddenRuntimeDirectory() throws VolumeStartupException {
        RuntimeFiles files = VolumeDirectory.prepare(temp.resolve("a/b/volume"));

        assertTrue(Files.isDirectory(temp.resolve("a/b/volume/.minikv")));
        assertEquals(temp.resolve("a/b/volume/.minikv/nginx.conf"), files.config());
    }

    @Test
    void aDirectoryThatCannotBeCreatedIsNamed() throws IOException {
        Files.writeString(temp.resolve("file"), "not a directory");

        VolumeStartupException error = assertThrows(VolumeStartupException.class,
                () -> VolumeDirectory.prepare(temp.resolve("file/volume")));

        assertTrue(error.getMessage().contains(temp.resolve("file/volume").toString()), error.getMessage());
    }

    @Test
    void aRegularFileIsNotAVolumeDirectory() throws IOException {
        Path file = Files.writeString(temp.resolve("file"), "not a directory");

        VolumeStartupException error = assertThrows(VolumeStartupException.class, () -> VolumeDirectory.prepare(file));

        assertTrue(error.getMessage().contains(file + " exists and is not a directory"), error.getMessage());
    }

    @Test
    void aPathNginxCannotQuoteIsRefusedBeforeAnythingIsCreated() {
        Path dir = temp.resolve("price$");

        VolumeStartupException error = assertThrows(VolumeStartupException.class, () -> VolumeDirectory.prepare(dir));

        assertTrue(error.getMessage().contains(dir.toString()), error.getMessage());
        assertTrue(Files.notExists(dir));
    }
}
