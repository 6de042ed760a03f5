package minikv.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import minikv.cluster.DiskStatus;

/** Everything the status page shows, gathered at one moment; free of I/O so the page renders from any. */
public record StatusView(
        Instant now,
        String index,
        Duration uptime,
        Readiness readiness,
        int replicas,
        String minFree,
        List<VolumeRow> volumes,
        List<KeyRow> keys,
        List<RateRow> requests,
        double serverErrorsPerSecond,
        List<RecentProblems.Problem> problems,
        long problemsEver) {

    /**
     * One volume. {@code downReason} is null when it is up; {@code lastProbe} and {@code disk} null
     * when not known; {@code writeRefusal} why a write would be refused for lack of room, or null.
     */
    public record VolumeRow(String volume, String downReason, VolumeStats.Probe lastProbe, DiskStatus disk,
                            String writeRefusal, long probeErrors, long replicaWriteFailures) {}

    public record KeyRow(String state, long count) {}

    public record RateRow(String method, long total, double perSecond) {}
}
