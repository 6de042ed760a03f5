package minikv.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestMetricsTest {

    @Test
    void countsByMethodAndStatus() {
        RequestMetrics metrics = new RequestMetrics();
        metrics.record(RequestMetrics.Method.GET, 302, 1000, 0);
        metrics.record(RequestMetrics.Method.GET, 302, 1000, 0);
        metrics.record(RequestMetrics.Method.GET, 404, 1000, 0);
        metrics.record(RequestMetrics.Method.PUT, 503, 1000, 40);

        List<String> seen = new ArrayList<>();
        metrics.forEachCount((method, status, count) -> seen.add(method + " " + status + " " + count));

        assertEquals(List.of("GET 302 2", "GET 404 1", "PUT 503 1"), seen);
        assertEquals(3, metrics.total(RequestMetrics.Method.GET));
        assertEquals(1, metrics.serverErrors());
        assertEquals(40, metrics.sentBytes(RequestMetrics.Method.PUT));
        assertEquals(3, metrics.durations(RequestMetrics.Method.GET).count());
    }

    @Test
    void anUnknownStartTimeCountsTheRequestButNotItsDuration() {
        RequestMetrics metrics = new RequestMetrics();
        metrics.record(RequestMetrics.Method.HEAD, 200, -1, 0);

        assertEquals(1, metrics.total(RequestMetrics.Method.HEAD));
        assertEquals(0, metrics.durations(RequestMetrics.Method.HEAD).count());
    }

    @Test
    void methodsOutsideTheApiCountAsOther() {
        assertEquals(RequestMetrics.Method.GET, RequestMetrics.Method.of(Methods.GET));
        assertEquals(RequestMetrics.Method.UNLINK, RequestMetrics.Method.of(new HttpString("UNLINK")));
        assertEquals(RequestMetrics.Method.OTHER, RequestMetrics.Method.of(Methods.PROPFIND));
    }
}
