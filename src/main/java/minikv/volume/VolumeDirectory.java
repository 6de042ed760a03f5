package minikv.volume;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Optional;

/** The volume directory on disk: made ready before nginx starts, so that problems name the path. */
final class VolumeDirectory {

    private VolumeDirectory() {
    }

    static RuntimeFiles prepare(Path requested) throws VolumeStartupException {
        RuntimeFiles files = new RuntimeFiles(requested);
        Path dir = files.volumeDir();
        try {
            NginxConfigValues.configPath(dir);
        } catch (IllegalArgumentException e) {
            throw new VolumeStartupException("volume directory: " + e.getMessage());
        }
        createDirectory(dir, "volume directory");
        if (!Files.isWritable(dir)) {
            throw new VolumeStartupException("volume directory " + dir + " is not writable");
        }
        createDirectory(files.runtimeDir(), "runtime directory");
        return files;
    }

    /**
     * Started as root, nginx runs its workers as nobody unless told otherwise, and nobody cannot
     * write DIR: the workers take DIR's owner instead. Otherwise nginx ignores {@code user}.
     */
    static Optional<WorkerUser> workerUserIfRoot(Path dir) throws VolumeStartupException {
        if (new UnixSystem().getUid() != 0) {
            return Optional.empty();
        }
        try {
            PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class);
            return Optional.of(new WorkerUser(attributes.owner().getName(), attributes.group().getName()));
        } catch (IOException e) {
            throw new VolumeStartupException("cannot read the owner of " + dir + ": " + e.getMessage());
        }
    }

    private static void createDirectory(Path dir, String role) throws VolumeStartupException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new VolumeStartupException("cannot create " + role + " " + dir + ": " + reason(e));
        }
        if (!Files.isDirectory(dir)) {
            throw new VolumeStartupException(role + " " + dir + " is not a directory");
        }
    }

    private static String reason(IOException e) {
        if (e instanceof FileAlreadyExistsException existing) {
            return existing.getFile() + " exists and is not a directory";
        }
        if (e instanceof AccessDeniedException denied) {
            return denied.getFile() + ": permission denied";
        }
        if (e instanceof FileSystemException fileProblem && fileProblem.getReason() != null) {
            return fileProblem.getFile() + ": " + fileProblem.getReason();
        }
        return e.toString();
    }
}
