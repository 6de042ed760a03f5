package minikv.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoublePredicate;

/** The index's admin endpoints, as a scraper or an operator's script reads them. */
public final class AdminPort {

    private final String base;

    public AdminPort(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    public String url(String path) {
        return base + path;
    }

    /** Every sample of /metrics by series, e.g. {@code minikv_keys{state="live"}} to its value. */
    public Map<String, Double> metrics() {
        HttpResponse<byte[]> response = Http.get(url("/metrics"));
        assertEquals(200, response.statusCode(), "GET /metrics");
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : new String(response.body(), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return samples;
    }

    /** One series' value; fails, listing what there is, if the series is absent. */
    public double metric(String series) {
        Map<String, Double> samples = metrics();
        Double value = samples.get(series);
        if (value == null) {
            fail("no series " + series + " in /metrics; it has:\n" + String.join("\n", samples.keySet()));
        }
        return value;
    }

    /** Waits until the series exists and its value passes {@code test} (probes run every second). */
    public double awaitMetric(String series, DoublePredicate test, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        Double last = null;
        while (Instant.now().isBefore(deadline)) {
            last = metrics().get(series);
            if (last != null && test.test(last)) {
                return last;
            }
            Await.pause(Duration.ofMillis(100));
        }
        return fail(series + " did not reach the expected value within " + timeout + "; last: " + last);
    }

    /** Waits until /health/ready answers {@code status}; returns its body. */
    public String awaitReadiness(int status, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        HttpResponse<byte[]> last = null;
        while (Instant.now().isBefore(deadline)) {
            last = Http.get(url("/health/ready"));
            if (last.statusCode() == status) {
                return new String(last.body(), StandardCharsets.UTF_8);
            }
            Await.pause(Duration.ofMillis(100));
        }
        return fail("/health/ready did not answer " + status + " within " + timeout + "; last: "
                + (last == null ? "none" : last.statusCode() + " " + new String(last.body(), StandardCharsets.UTF_8)));
    }
}
