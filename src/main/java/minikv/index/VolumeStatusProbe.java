package minikv.index;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import minikv.cluster.DiskStatus;
import minikv.ops.VolumeStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The probe behind {@link minikv.placement.VolumeHealth}: one GET of the volume's status file.
 * Any HTTP answer means the volume is up; a 200 also says how full its disk is. The time it took
 * and the disk status go to {@link VolumeStats}.
 */
final class VolumeStatusProbe implements Function<String, String> {

    private static final Logger log = LoggerFactory.getLogger(VolumeStatusProbe.class);
    /** A status is ~150 bytes; anything much larger is not one. */
    private static final int MAX_STATUS_BYTES = 16 * 1024;

    private final Duration timeout;
    private final VolumeStats stats;
    private final Consumer<HttpURLConnection> authorize;

    /** @param authorize adds what the volume needs to answer (the cluster secret, if any) */
    VolumeStatusProbe(Duration timeout, VolumeStats stats, Consumer<HttpURLConnection> authorize) {
        this.timeout = timeout;
        this.stats = stats;
        this.authorize = authorize;
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
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://" + volume + DiskStatus.URL_PATH).toURL()
                    .openConnection(Proxy.NO_PROXY);
            c.setConnectTimeout((int) timeout.toMillis());
            c.setReadTimeout((int) timeout.toMillis());
            authorize.accept(c);
            int code = c.getResponseCode();
            DiskStatus disk = null;
            if (code == 200) {
                try (InputStream body = c.getInputStream()) {
                    disk = parse(volume, body.readNBytes(MAX_STATUS_BYTES));
                }
            } else {
                drain(c);
            }
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

    /** Reads what is left of an answer so that its connection goes back to the keep-alive pool. */
    private static void drain(HttpURLConnection c) throws IOException {
        InputStream body = c.getResponseCode() >= 400 ? c.getErrorStream() : c.getInputStream();
        if (body != null) {
            try (body) {
                body.transferTo(OutputStream.nullOutputStream());
            }
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
