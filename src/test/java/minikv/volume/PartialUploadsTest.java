package minikv.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartialUploadsTest {

    @TempDir
    Path dir;

    @Test
    void deletesEveryTempFileAndReportsTheirSize() throws IOException {
        Path temp = Files.createDirectories(dir.resolve("client_body_temp/1"));
        Files.write(dir.resolve("client_body_temp/0000000001"), new byte[300]);
        Files.write(temp.resolve("0000000002"), new byte[700]);

        assertEquals(1000, PartialUploads.discard(dir.resolve("client_body_temp")));

        assertFalse(Files.exists(dir.resolve("client_body_temp/0000000001")));
        assertFalse(Files.exists(temp.resolve("0000000002")));
        assertTrue(Files.isDirectory(temp), "nginx's own directories stay");
    }

    @Test
    void aVolumeThatNeverRanHasNone() throws IOException {
        assertEquals(0, PartialUploads.discard(dir.resolve("client_body_temp")));
    }
}
