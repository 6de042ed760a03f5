package minikv.volume;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An nginx still serving DIR from an earlier launcher that was killed without a chance to stop it
 * (kill -9): it holds the port, so a new launcher finds it through the pid file in DIR's runtime
 * directory and stops it. It is ours only if its command line names our config: the pid may have
 * been reused by an unrelated process since.
 */
final class LeftoverNginx {

    private static final Logger log = LoggerFactory.getLogger(LeftoverNginx.class);

    private LeftoverNginx() {
    }

    static void stopIfRunning(RuntimeFiles files, Duration grace) throws VolumeStartupException {
        Optional<ProcessHandle> leftover = readPid(files.pidFile())
                .flatMap(ProcessHandle::of)
                .filter(process -> commandLine(process).contains(files.config().toString()));
        if (leftover.isEmpty()) {
            return;
        }
        ProcessHandle master = leftover.get();
        Optional<ProcessHandle> liveLauncher = master.parent().filter(LeftoverNginx::isJava);
        if (liveLauncher.isPresent()) {
            throw new VolumeStartupException(files.volumeDir() + " is already served by nginx (pid " + master.pid()
                    + ") of a launcher that is still running (pid " + liveLauncher.get().pid() + ")");
        }
        log.warn("stopping nginx (pid {}) left running by an earlier launcher of {}", master.pid(), files.volumeDir());
        NginxStopper.stop(master, List.of(), grace);
    }

    private static Optional<Long> readPid(Path pidFile) throws VolumeStartupException {
        try {
            return Optional.of(Long.parseLong(Files.readString(pidFile).strip()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (NumberFormatException e) {
            log.warn("ignoring {}: it holds no pid", pidFile);
            return Optional.empty();
        } catch (IOException e) {
            throw new VolumeStartupException("cannot read " + pidFile + ": " + e.getMessage());
        }
    }

    /**
     * nginx rewrites its title into argv[0] as "nginx: master process <its arguments>", which keeps
     * -c FILE, but Java's ProcessHandle.Info then reports no arguments on Linux: read /proc there.
     * Elsewhere (macOS) nginx leaves argv alone and ProcessHandle.Info has it.
     */
    private static String commandLine(ProcessHandle process) {
        Path procCmdline = Path.of("/proc", Long.toString(process.pid()), "cmdline");
        if (Files.isReadable(procCmdline)) {
            try {
                return Files.readString(procCmdline).replace('\0', ' ');
            } catch (IOException e) {
                return "";
            }
        }
        return process.info().commandLine().orElse("");
    }

    private static boolean isJava(ProcessHandle process) {
        return process.info().command().map(command -> Path.of(command).getFileName().toString().startsWith("java"))
                .orElse(false);
    }
}
