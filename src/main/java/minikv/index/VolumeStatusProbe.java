package minikv.index;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.function.Function;
import minikv.cluster.DiskStatus;
import minikv.http.Answer;
import minikv.http.ClusterHttp;
import minikv.ops.VolumeStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The probe behind {@link minikv.placement.VolumeHealth}: one GET of the volume's status file.
 * Any HTTP answer means the volume is up; a 200 also says how full its disk is. The time it took
 * and the disk status go to {@link VolumeStats}. It goes through the index's one client, which
 * sends the cluster secret (a volume with --signed-reads serves its status only with it) and
 * keeps the connection for the next probe.
 */
final class VolumeStatusProbe implements Function<String, String> {

    private static final Logger log = LoggerFactory.getLogger(VolumeStatusProbe.class);
    /** A status is ~150 bytes; anything much larger is not one. */
    private static final int MAX_STATUS_BYTES = 16 * 1024;

    private final ClusterHttp http;
    private final Duration timeout;
    private final VolumeStats stats;

    VolumeStatusProbe(ClusterHttp http, Duration timeout, VolumeStats stats) {
        this.http = http;
        this.timeout = timeout;
        this.stats = stats;
    }

    /**
     * A volume that stays silent for the timeout once is asked again before it counts as down:
     * one whose disk is writing back gigabytes can miss a single probe while serving well. (A
     * request that times out against a volume marks it down at once all the same.)
     *
     * @return null if the volume answered, else why not
     */
    @Override
    public String apply(String volume) {
        try {
            return probe(volume);
        } catch (SocketTimeoutException once) {
            try {
                return probe(volume);
            } catch (SocketTimeoutException twice) {
                return twice.toString();
            }
        }
    }

    private String probe(String volume) throws SocketTimeoutException {
        long start = System.nanoTime();
        try (Answer answer = http.ask(volume, "GET", DiskStatus.URL_PATH, timeout)) {
            DiskStatus disk = answer.status() == 200 ? parse(volume, answer.body().readNBytes(MAX_STATUS_BYTES)) : null;
            stats.probeAnswered(volume, System.nanoTime() - start, disk);
            return null;
        } catch (IOException e) {
            stats.probeFailed(volume, System.nanoTime() - start, e.toString());
            if (e instanceof SocketTimeoutException timeout) {
                throw timeout;
            }
            return e.toString();
        }
    }

    /** The status, or null (disk unknown, writes not refused for it) if it cannot be read. */
    private static DiskStatus parse(String volume, byte[] json) {
        try {
            DiskStatus disk = DiskStatus.fromJson(json);
            log.debug("volume {}: {} free of {}", volume, disk.freeBytes(), disk.totalBytes());
            return disk;
        } catch (IllegalArgumentException e) {
            log.debug("volume {} serves an unreadable status ({}); its disk is unknown", volume, e.getMessage());
            return null;
        }
    }
}
