package minikv.volume;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * PUT bodies an nginx was still receiving when it died (kill -9, OOM, a crash). nginx deletes
 * such a temp file when a request fails, but not when it is itself killed, and never looks at
 * them again: left alone they fill the disk, one crash at a time. Removed before each start,
 * while no nginx can be writing them.
 */
final class PartialUploads {

    private PartialUploads() {
    }

    /** Deletes the temp files in {@code bodyTempDir}; returns their total size in bytes. */
    static long discard(Path bodyTempDir) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(bodyTempDir)) {
            files = walk.filter(Files::isRegularFile).toList();
        } catch (NoSuchFileException e) {
            return 0; // nginx has not run here yet
        }
        long bytes = 0;
        for (Path file : files) {
            bytes += Files.size(file);
            Files.delete(file);
        }
        return bytes;
    }
}
