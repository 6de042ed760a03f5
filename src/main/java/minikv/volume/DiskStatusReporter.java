package minikv.volume;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import minikv.cluster.DiskStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures the volume's file system every few seconds and writes it as {@link DiskStatus} JSON
 * into the runtime directory, where nginx serves it read-only at {@link DiskStatus#URL_PATH}.
 * Each write replaces the file by a rename, so nginx never serves half of one.
 */
final class DiskStatusReporter {

    private static final Logger log = LoggerFactory.getLogger(DiskStatusReporter.class);
    static final Duration INTERVAL = Duration.ofSeconds(5);

    private final RuntimeFiles files;
    private boolean failing; // only the scheduler thread touches it after start

    private DiskStatusReporter(RuntimeFiles files) {
        this.files = files;
    }

    /**
     * Writes the first status now, so the volume reports its disk from its first answer, then
     * keeps it current on a daemon thread for as long as the launcher runs.
     */
    static void start(RuntimeFiles files) throws VolumeStartupException {
        DiskStatusReporter reporter = new DiskStatusReporter(files);
        try {
            reporter.write();
        } catch (IOException e) {
            throw new VolumeStartupException("cannot write " + files.statusFile() + ": " + e);
        }
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "disk-status");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(reporter::writeAndReport, INTERVAL.toMillis(), INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void writeAndReport() {
        try {
            write();
            if (failing) {
                log.info("writing {} works again", files.statusFile());
                failing = false;
            }
        } catch (IOException | RuntimeException e) {
            if (!failing) {
                log.warn("cannot update {}: {}; the index sees this volume's disk as of the last update", files.statusFile(),
                        e.toString());
                failing = true;
            }
        }
    }

    private void write() throws IOException {
        FileStore store = Files.getFileStore(files.volumeDir());
        long total = store.getTotalSpace();
        DiskStatus status = new DiskStatus(Instant.now().truncatedTo(ChronoUnit.MILLIS), total, store.getUsableSpace(),
                total - store.getUnallocatedSpace());
        Path temp = files.statusFile().resolveSibling(files.statusFile().getFileName() + ".tmp");
        Files.write(temp, status.toJson());
        // nginx's workers may run as another user than the launcher: they must be able to read it.
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(temp, files.statusFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
