package minikv.ops;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import minikv.cluster.DiskStatus;
import minikv.placement.VolumeHealth;
import minikv.store.KeyCounts;
import minikv.store.Record;

/** Every metric of the index, read from where it is kept, as one Prometheus text page. */
final class MetricsExposition {

    private final RequestMetrics requests;
    private final KeyCounts keys;
    private final VolumeStats volumes;
    private final VolumeHealth health;
    private final MinFree minFree;
    private final Rollbacks rollbacks;
    private final AccessLog accessLog;
    private final Supplier<Readiness> readiness;
    private final Instant started;

    /** @param accessLog null when the access log is off */
    MetricsExposition(RequestMetrics requests, KeyCounts keys, VolumeStats volumes, VolumeHealth health, MinFree minFree,
                      Rollbacks rollbacks, AccessLog accessLog, Supplier<Readiness> readiness, Instant started) {
        this.requests = requests;
        this.keys = keys;
        this.volumes = volumes;
        this.health = health;
        this.minFree = minFree;
        this.rollbacks = rollbacks;
        this.accessLog = accessLog;
        this.readiness = readiness;
        this.started = started;
    }

    String render() {
        PrometheusText text = new PrometheusText();
        requestFamilies(text);
        keyFamilies(text);
        volumeFamilies(text);
        writeFamilies(text);
        processFamilies(text);
        return text.toString();
    }

    private void requestFamilies(PrometheusText text) {
        text.family("minikv_http_requests_total", "counter", "Requests answered by the index, by method and status.");
        requests.forEachCount((method, status, count) ->
                text.sample("minikv_http_requests_total", count, "method", method.name(), "status", Integer.toString(status)));
        text.family("minikv_http_request_duration_seconds", "histogram",
                "Time from the first byte of a request to the end of its answer, by method.");
        for (RequestMetrics.Method m : RequestMetrics.Method.values()) {
            text.histogram("minikv_http_request_duration_seconds", requests.durations(m), "method", m.name());
        }
        text.family("minikv_http_received_bytes_total", "counter", "Request body bytes read (PUT values), by method.");
        for (RequestMetrics.Method m : RequestMetrics.Method.values()) {
            text.sample("minikv_http_received_bytes_total", requests.receivedBytes(m), "method", m.name());
        }
        text.family("minikv_http_sent_bytes_total", "counter", "Response body bytes sent (listings, error texts), by method.");
        for (RequestMetrics.Method m : RequestMetrics.Method.values()) {
            text.sample("minikv_http_sent_bytes_total", requests.sentBytes(m), "method", m.name());
        }
    }

    private void keyFamilies(PrometheusText text) {
        text.family("minikv_keys", "gauge", "Keys in the index by state: live (served), unlinked (hidden, files kept),"
                + " pending (being written), deleting (replicas being removed).");
        for (Record.State state : Record.State.values()) {
            text.sample("minikv_keys", keys.of(state), "state", state.name().toLowerCase(Locale.ROOT));
        }
    }

    private void volumeFamilies(PrometheusText text) {
        text.family("minikv_volume_up", "gauge", "1 if the volume answered its last probe and no request has failed on it since.");
        for (String v : volumes.volumes()) {
            text.sample("minikv_volume_up", health.isUp(v) ? 1 : 0, "volume", v);
        }
        text.family("minikv_volume_writable", "gauge", "1 if the volume is up and has more room than --min-free.");
        for (String v : volumes.volumes()) {
            boolean writable = health.isUp(v) && minFree.refusal(v, volumes.disk(v), 0) == null;
            text.sample("minikv_volume_writable", writable ? 1 : 0, "volume", v);
        }
        text.family("minikv_volume_probe_duration_seconds", "histogram", "Time a probe of the volume took, failed ones included.");
        for (String v : volumes.volumes()) {
            text.histogram("minikv_volume_probe_duration_seconds", volumes.probeDurations(v), "volume", v);
        }
        text.family("minikv_volume_probe_errors_total", "counter", "Probes the volume did not answer.");
        for (String v : volumes.volumes()) {
            text.sample("minikv_volume_probe_errors_total", volumes.probeErrors(v), "volume", v);
        }
        diskFamily(text, "minikv_volume_disk_total_bytes", "Size of the volume's file system, as the volume last reported.",
                DiskStatus::totalBytes);
        diskFamily(text, "minikv_volume_disk_free_bytes", "Bytes of the volume's file system a writer can still use.",
                DiskStatus::freeBytes);
        diskFamily(text, "minikv_volume_disk_used_bytes", "Bytes in use on the volume's file system (by anything).",
                DiskStatus::usedBytes);
        diskFamily(text, "minikv_volume_disk_report_timestamp_seconds",
                "When the volume last measured its disk (Unix time): an old value means its launcher stopped reporting.",
                disk -> disk.time().toEpochMilli() / 1000.0);
        text.family("minikv_volume_min_free_bytes", "gauge", "Room (--min-free) below which the volume takes no new values.");
        for (String v : volumes.volumes()) {
            DiskStatus disk = volumes.disk(v);
            text.sample("minikv_volume_min_free_bytes", minFree.bytesFor(disk == null ? 0 : disk.totalBytes()), "volume", v);
        }
    }

    /** Only volumes that reported a disk status have these samples. */
    private void diskFamily(PrometheusText text, String name, String help, ToDoubleFunction<DiskStatus> value) {
        text.family(name, "gauge", help);
        for (String v : volumes.volumes()) {
            DiskStatus disk = volumes.disk(v);
            if (disk != null) {
                text.sample(name, value.applyAsDouble(disk), "volume", v);
            }
        }
    }

    private void writeFamilies(PrometheusText text) {
        text.family("minikv_replica_write_failures_total", "counter", "Replica uploads that failed on the volume (each fails its PUT).");
        for (String v : volumes.volumes()) {
            text.sample("minikv_replica_write_failures_total", volumes.replicaWriteFailures(v), "volume", v);
        }
        text.family("minikv_put_rollbacks_total", "counter", "Failed PUTs undone: complete (nothing left) or pending"
                + " (a volume was unreachable; the key stays PENDING until a DELETE, PUT or restart).");
        text.sample("minikv_put_rollbacks_total", rollbacks.complete(), "outcome", "complete");
        text.sample("minikv_put_rollbacks_total", rollbacks.incomplete(), "outcome", "pending");
    }

    private void processFamilies(PrometheusText text) {
        text.family("minikv_ready", "gauge", "1 if /health/ready answers 200.");
        text.sample("minikv_ready", readiness.get().ready() ? 1 : 0);
        if (accessLog != null) {
            text.family("minikv_access_log_dropped_total", "counter", "Access lines dropped because the log could not keep up.");
            text.sample("minikv_access_log_dropped_total", accessLog.dropped());
        }
        text.family("process_start_time_seconds", "gauge", "When the index started (Unix time).");
        text.sample("process_start_time_seconds", started.toEpochMilli() / 1000.0);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        text.family("jvm_memory_used_bytes", "gauge", "Java heap and non-heap memory in use.");
        text.sample("jvm_memory_used_bytes", memory.getHeapMemoryUsage().getUsed(), "area", "heap");
        text.sample("jvm_memory_used_bytes", memory.getNonHeapMemoryUsage().getUsed(), "area", "nonheap");
    }
}
