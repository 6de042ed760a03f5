package minikv.placement;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which volumes are up, kept current in the background so that no request has to ask a volume
 * first (minikeyvalue sends a HEAD to the replicas before every redirect).
 *
 * <p>Each volume is probed on its own schedule, so one that hangs delays no other. A failure
 * seen by a request marks the volume down at once; the next successful probe brings it back.
 * Volumes that are not configured (a record may name one that was removed) count as down.
 */
public final class VolumeHealth implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(VolumeHealth.class);

    private final List<String> volumes;
    private final Function<String, String> probe;
    private final Duration interval;
    /** Per volume, null while it is up, else why it is down. */
    private final AtomicReferenceArray<String> downReasons;
    private final ScheduledExecutorService scheduler;

    /**
     * @param probe asks one volume whether it is up: returns null if so, else the reason
     * @param interval time between the end of one probe of a volume and the start of the next
     */
    public VolumeHealth(List<String> volumes, Function<String, String> probe, Duration interval) {
        this.volumes = List.copyOf(volumes);
        this.probe = probe;
        this.interval = interval;
        this.downReasons = new AtomicReferenceArray<>(volumes.size());
        this.scheduler = Executors.newScheduledThreadPool(volumes.size(), runnable -> {
            Thread t = new Thread(runnable, "volume-probe");
            t.setDaemon(true);
            return t;
        });
    }

    /** Probes every volume once, in parallel, then keeps probing in the background. */
    public void start() {
        CompletableFuture<?>[] first = new CompletableFuture<?>[volumes.size()];
        for (int i = 0; i < first.length; i++) {
            int volume = i;
            first[i] = CompletableFuture.runAsync(() -> probe(volume), scheduler);
        }
        CompletableFuture.allOf(first).join();
        for (int i = 0; i < volumes.size(); i++) {
            int volume = i;
            scheduler.scheduleWithFixedDelay(
                    () -> probe(volume), interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** True if the volume of {@code location} ({@code host:port} or {@code host:port/svXX}) is up. */
    public boolean isUp(String location) {
        return downReason(location) == null;
    }

    /** Null if the volume of {@code location} is up, else why it is not. */
    public String downReason(String location) {
        int i = indexOf(location);
        return i < 0 ? "volume " + Placement.volumeOf(location) + " is not configured" : downReasons.get(i);
    }

    /** A request could not reach the volume of {@code location}: it is down until a probe passes. */
    public void reportFailure(String location, String reason) {
        int i = indexOf(location);
        if (i >= 0) {
            markDown(i, reason);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    private void probe(int volume) {
        String reason;
        try {
            reason = probe.apply(volumes.get(volume));
        } catch (RuntimeException e) {
            reason = e.toString();
        }
        if (reason == null) {
            if (downReasons.getAndSet(volume, null) != null) {
                log.info("volume {} is up", volumes.get(volume));
            }
        } else {
            markDown(volume, reason);
        }
    }

    private void markDown(int volume, String reason) {
        String was = downReasons.getAndSet(volume, "volume " + volumes.get(volume) + " is down: " + reason);
        if (was == null) {
            log.warn("volume {} is down: {}", volumes.get(volume), reason);
        }
    }

    private int indexOf(String location) {
        return Placement.indexOfVolume(volumes, location);
    }
}
