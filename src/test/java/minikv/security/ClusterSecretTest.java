package minikv.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClusterSecretTest {

    private static final String HEX = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    @Test
    void theFirstLineOfTheFileIsTheSecretWithoutItsNewline() throws IOException {
        Path file = Files.writeString(dir.resolve("secret"), HEX + "\n");

        assertEquals(HEX, ClusterSecret.read(file).reveal());
    }

    @Test
    void itNeverShowsInToString() {
        assertFalse(ClusterSecret.of(HEX).toString().contains(HEX));
    }

    @Test
    void aMissingFileIsNamedWithAWayToMakeOne() {
        Path missing = dir.resolve("missing");

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> ClusterSecret.read(missing));

        assertTrue(error.getMessage().contains(missing + " does not exist"), error.getMessage());
        assertTrue(error.getMessage().contains("openssl rand -hex 32"), error.getMessage());
    }

    @Test
    void anEmptyFileIsRefused() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> ClusterSecret.read(empty));

        assertTrue(error.getMessage().contains("secret is empty"), error.getMessage());
    }

    @Test
    void aDirectoryIsNotASecretFile() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> ClusterSecret.read(dir));

        assertTrue(error.getMessage().startsWith("cannot read secret file " + dir), error.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"short", "has space inside it and more", "quote\"0123456789abcdef", "dollar$0123456789abcdef",
        "semicolon;0123456789abcdef", "backslash\\0123456789abcdef", "regex.+0123456789abcdef"})
    void textThatWouldChangeTheNginxConfigIsRefusedWithoutBeingRepeated(String text) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> ClusterSecret.of(text));

        assertFalse(error.getMessage().contains(text), error.getMessage());
    }

    @Test
    void base64UrlAndHexSecretsAreAccepted() {
        assertEquals("AbC-_09xyzXYZ-_0123", ClusterSecret.of("AbC-_09xyzXYZ-_0123").reveal());
    }
}
