package minikv.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    @Test
    void writesFamiliesWithHelpTypeAndLabelledSamples() {
        String text = new PrometheusText()
                .family("minikv_http_requests_total", "counter", "Requests answered.")
                .sample("minikv_http_requests_total", 3, "method", "GET", "status", "302")
                .sample("minikv_http_requests_total", 1, "method", "PUT", "status", "201")
                .family("minikv_ready", "gauge", "1 if ready.")
                .sample("minikv_ready", 1)
                .toString();

        assertEquals("""
                # HELP minikv_http_requests_total Requests answered.
                # TYPE minikv_http_requests_total counter
                minikv_http_requests_total{method="GET",status="302"} 3
                minikv_http_requests_total{method="PUT",status="201"} 1
                # HELP minikv_ready 1 if ready.
                # TYPE minikv_ready gauge
                minikv_ready 1
                """, text);
    }

    @Test
    void escapesLabelValuesAndHelp() {
        String text = new PrometheusText()
                .family("m", "gauge", "a \\ and a\nnewline, \"quoted\"")
                .sample("m", 1, "volume", "odd\"name\\with\nnewline")
                .toString();

        assertEquals("# HELP m a \\\\ and a\\nnewline, \"quoted\"\n# TYPE m gauge\n"
                + "m{volume=\"odd\\\"name\\\\with\\nnewline\"} 1\n", text);
    }

    @Test
    void writesAHistogramAsBucketsSumAndCount() {
        Histogram h = new Histogram(new double[] {0.0001, 0.5, 2.5});
        h.observe(50_000);
        h.observe(1_000_000_000);

        String text = new PrometheusText().histogram("d_seconds", h.snapshot(), "method", "GET").toString();

        assertEquals("""
                d_seconds_bucket{method="GET",le="0.0001"} 1
                d_seconds_bucket{method="GET",le="0.5"} 1
                d_seconds_bucket{method="GET",le="2.5"} 2
                d_seconds_bucket{method="GET",le="+Inf"} 2
                d_seconds_sum{method="GET"} 1.00005
                d_seconds_count{method="GET"} 2
                """, text);
    }

    @Test
    void numbersArePlainDecimals() {
        assertEquals("0", PrometheusText.formatNumber(0));
        assertEquals("42", PrometheusText.formatNumber(42));
        assertEquals("1795000000000", PrometheusText.formatNumber(1.795e12));
        assertEquals("0.00025", PrometheusText.formatNumber(0.00025));
        assertEquals("1763892902.123", PrometheusText.formatNumber(1763892902.123));
        assertEquals("+Inf", PrometheusText.formatNumber(Double.POSITIVE_INFINITY));
        assertEquals("NaN", PrometheusText.formatNumber(Double.NaN));
    }
}
