package minikv.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import minikv.placement.Placement;
import minikv.testing.AdminPort;
import minikv.testing.Cluster;
import minikv.testing.FreePorts;
import minikv.testing.Http;
import minikv.testing.VolumeProcess;
import minikv.testing.VolumeTemplates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index's /metrics and access log against a real cluster: what an operator's dashboard would show. */
class MetricsIT {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;
    Cluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void metricsAndAccessLogFollowAKnownSequenceOfRequests() {
        AdminPort admin = startCluster("--access-log");
        byte[] value = new byte[1000];

        assertEquals(201, Http.put(cluster.url("/a"), value).statusCode());
        assertEquals(403, Http.put(cluster.url("/a"), value).statusCode());
        HttpResponse<byte[]> redirect = Http.get(cluster.url("/a"));
        assertEquals(302, redirect.statusCode());
        assertEquals(404, Http.get(cluster.url("/missing")).statusCode());
        assertEquals(404, Http.send("HEAD", cluster.url("/missing")).statusCode());

        Map<String, Double> m = admin.metrics();
        assertEquals(1.0, m.get(requests("PUT", 201)));
        assertEquals(1.0, m.get(requests("PUT", 403)));
        assertEquals(1.0, m.get(requests("GET", 302)));
        assertEquals(1.0, m.get(requests("GET", 404)));
        assertEquals(1.0, m.get(requests("HEAD", 404)));
        assertEquals(2.0, m.get("minikv_http_request_duration_seconds_count{method=\"GET\"}"));
        // The stored value, and the refused PUT's: a small body is read to its end before the 403
        // so that closing the connection cannot reset it under the answer.
        assertEquals(2000.0, m.get("minikv_http_received_bytes_total{method=\"PUT\"}"), "both PUT bodies were read");
        assertEquals(1.0, m.get("minikv_keys{state=\"live\"}"));

        assertEquals(204, Http.send("UNLINK", cluster.url("/a")).statusCode());
        assertEquals(0.0, admin.metric("minikv_keys{state=\"live\"}"));
        assertEquals(1.0, admin.metric("minikv_keys{state=\"unlinked\"}"));
        assertEquals(204, Http.delete(cluster.url("/a")).statusCode());
        // Counted once the exchange completes, which may be a moment after the client has its answer.
        admin.awaitMetric(requests("DELETE", 204), count -> count == 1, WAIT);
        m = admin.metrics();
        for (String state : List.of("live", "unlinked", "pending", "deleting")) {
            assertEquals(0.0, m.get("minikv_keys{state=\"" + state + "\"}"), state);
        }
        assertEquals(1.0, m.get(requests("UNLINK", 204)));
        assertEquals(1.0, m.get(requests("DELETE", 204)));
        for (VolumeProcess v : cluster.volumes()) {
            assertEquals(1.0, m.get("minikv_volume_up{volume=\"" + v.address() + "\"}"), v.address());
            assertTrue(m.get("minikv_volume_disk_free_bytes{volume=\"" + v.address() + "\"}") > 0, v.address());
        }

        String placed = cluster.locations("/a").stream().map(Placement::volumeOf).collect(Collectors.joining(","));
        String redirectedTo = redirect.headers().firstValue("Location").orElseThrow().split("/")[2];
        assertTrue(cluster.index().awaitOutput(" PUT /a 201 in=1000 out=0 ms=", WAIT), cluster.index().output());
        assertTrue(cluster.index().awaitOutput(" volume=" + placed + "\n", WAIT), cluster.index().output());
        assertTrue(cluster.index().awaitOutput(" GET /a 302 in=0 out=0 ms=", WAIT), cluster.index().output());
        assertTrue(cluster.index().awaitOutput(" volume=" + redirectedTo + "\n", WAIT), cluster.index().output());
        assertTrue(cluster.index().awaitOutput(" HEAD /missing 404 in=0 out=0 ms=", WAIT), cluster.index().output());
        assertTrue(cluster.index().awaitOutput(" DELETE /a 204 ", WAIT), cluster.index().output());
    }

    @Test
    void aReplicaWriteAVolumeRefusesIsCountedRolledBackAndLogged() {
        AdminPort admin = startCluster();
        VolumeProcess refusing = cluster.volumes().get(2);
        refusing.stop();
        Path template = VolumeTemplates.builtInWith(dir.resolve("no-put.conf"),
                "dav_methods PUT DELETE MOVE COPY;", "dav_methods DELETE MOVE COPY;");
        refusing = cluster.restartVolume(refusing, "--template", template.toString());
        String series = "{volume=\"" + refusing.address() + "\"}";
        admin.awaitMetric("minikv_volume_up" + series, up -> up == 1, WAIT);
        String key = PlacedKeys.find(cluster, "/refused-", refusing.address(), true);

        HttpResponse<byte[]> put = Http.put(cluster.url(key), "value".getBytes(StandardCharsets.UTF_8));

        assertEquals(502, put.statusCode(), new String(put.body(), StandardCharsets.UTF_8));
        // A request is counted when its exchange completes, which may be just after its answer
        // (and its series may already be there, at 0).
        admin.awaitMetric(requests("PUT", 502), count -> count == 1, WAIT);
        Map<String, Double> m = admin.metrics();
        assertEquals(1.0, m.get("minikv_replica_write_failures_total" + series));
        assertEquals(1.0, m.get("minikv_put_rollbacks_total{outcome=\"complete\"}"));
        assertEquals(1.0, m.get(requests("PUT", 502)));
        assertEquals(0.0, m.get("minikv_keys{state=\"pending\"}"));
        assertEquals(List.of(), cluster.replicaFiles(key), "rolled back: no replica anywhere");
        assertTrue(cluster.index().awaitOutput("WARN  RequestObserver: PUT " + key + " answered 502: volume "
                + refusing.address() + " answered 405 to PUT", WAIT), cluster.index().output());
    }

    private AdminPort startCluster(String... options) {
        int adminPort = FreePorts.next();
        List<String> args = new ArrayList<>(List.of("--replicas", "2", "--admin-port", Integer.toString(adminPort)));
        args.addAll(List.of(options));
        cluster = Cluster.start(dir, 3, args.toArray(String[]::new));
        return new AdminPort(adminPort);
    }

    private static String requests(String method, int status) {
        return "minikv_http_requests_total{method=\"" + method + "\",status=\"" + status + "\"}";
    }
}
