package minikv.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Variants of the built-in volume template, for volumes that must misbehave in one precise way
 * (refuse PUTs, report a nearly full disk) while staying real nginx.
 */
public final class VolumeTemplates {

    private VolumeTemplates() {
    }

    /** The built-in template with {@code original} (which must occur in it) replaced; written to {@code file}. */
    public static Path builtInWith(Path file, String original, String replacement) {
        try (InputStream in = VolumeTemplates.class.getResourceAsStream("/nginx-templates/volume.conf")) {
            String template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(template.contains(original), "the built-in template no longer contains: " + original);
            return Files.writeString(file, template.replace(original, replacement));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
