package minikv.volume;

import java.nio.file.Path;

/**
 * Where a volume keeps what nginx writes while it runs: a hidden directory inside the volume
 * directory, on the blobs' filesystem, so that nginx's write-to-temp-then-rename of a PUT body is
 * atomic. The template never serves names that start with a dot.
 */
record RuntimeFiles(Path volumeDir) {

    static final String RUNTIME_DIR_NAME = ".minikv";

    RuntimeFiles {
        volumeDir = volumeDir.toAbsolutePath().normalize();
    }

    Path runtimeDir() {
        return volumeDir.resolve(RUNTIME_DIR_NAME);
    }

    Path config() {
        return runtimeDir().resolve("nginx.conf");
    }

    /** Where nginx writes a PUT body until it has all of it and renames it into place. */
    Path bodyTempDir() {
        return runtimeDir().resolve("client_body_temp");
    }

    Path pidFile() {
        return runtimeDir().resolve("nginx.pid");
    }

    /** nginx's `-e`: where it reports problems met before it has read the config's error_log. */
    Path startupErrorLog() {
        return runtimeDir().resolve("startup-error.log");
    }

    Path accessLog() {
        return runtimeDir().resolve("access.log");
    }

    /** The disk status the launcher keeps current; the one runtime file nginx serves. */
    Path statusFile() {
        return runtimeDir().resolve("status.json");
    }
}
