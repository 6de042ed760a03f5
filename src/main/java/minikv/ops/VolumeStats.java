package minikv.ops;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import minikv.cluster.DiskStatus;
import minikv.placement.Placement;

/**
 * What the index has seen of each volume: its probes (how long, how often failed, the last one)
 * and the disk status it serves, and the replica writes that failed on it. Written by probe
 * threads and PUT workers, read by scrapes and the status page; never by a GET.
 */
public final class VolumeStats {

    /** The outcome of one probe; {@code error} is null when the volume answered. */
    public record Probe(Instant time, long nanos, String error) {}

    private final List<String> volumes;
    private final Volume[] stats;

    private static final class Volume {
        final Histogram probeDurations = Histogram.forLatency();
        final LongAdder probeErrors = new LongAdder();
        final LongAdder replicaWriteFailures = new LongAdder();
        volatile Probe lastProbe;
        volatile DiskStatus disk;
    }

    public VolumeStats(List<String> volumes) {
        this.volumes = List.copyOf(volumes);
        this.stats = new Volume[volumes.size()];
        for (int i = 0; i < stats.length; i++) {
            stats[i] = new Volume();
        }
    }

    public List<String> volumes() {
        return volumes;
    }

    /**
     * A probe that got an HTTP answer. {@code disk} is what the volume reported, or null if it
     * serves no status (an nginx not started by minikv's launcher, or a custom template).
     */
    public void probeAnswered(String volume, long nanos, DiskStatus disk) {
        Volume v = stats[indexOf(volume)];
        v.probeDurations.observe(nanos);
        v.lastProbe = new Probe(Instant.now(), nanos, null);
        v.disk = disk;
    }

    /** A probe that got no answer; the last disk status is kept, marked by its age. */
    public void probeFailed(String volume, long nanos, String error) {
        Volume v = stats[indexOf(volume)];
        v.probeDurations.observe(nanos);
        v.probeErrors.increment();
        v.lastProbe = new Probe(Instant.now(), nanos, error);
    }

    /** A replica write to {@code location} ({@code host:port/svXX}) failed. */
    public void replicaWriteFailed(String location) {
        int i = indexOf(location);
        if (i >= 0) {
            stats[i].replicaWriteFailures.increment();
        }
    }

    /** The last disk status of the volume of {@code location}, or null if unknown. */
    public DiskStatus disk(String location) {
        int i = indexOf(location);
        return i < 0 ? null : stats[i].disk;
    }

    /** The last probe of a volume, or null before the first. */
    public Probe lastProbe(String volume) {
        return stats[indexOf(volume)].lastProbe;
    }

    public Histogram.Snapshot probeDurations(String volume) {
        return stats[indexOf(volume)].probeDurations.snapshot();
    }

    public long probeErrors(String volume) {
        return stats[indexOf(volume)].probeErrors.sum();
    }

    public long replicaWriteFailures(String volume) {
        return stats[indexOf(volume)].replicaWriteFailures.sum();
    }

    private int indexOf(String location) {
        return Placement.indexOfVolume(volumes, location);
    }
}
