package minikv.ops;

import java.math.BigDecimal;

/**
 * Prometheus's text exposition format (version 0.0.4), written by hand: the index exposes a few
 * dozen series and a library would add megabytes and per-request work on the read path.
 *
 * <p>Each family starts with {@link #family}; its samples follow. Labels are given as name,
 * value pairs.
 */
public final class PrometheusText {

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder(4096);

    /** HELP and TYPE lines; {@code type} is counter, gauge or histogram. */
    public PrometheusText family(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ');
        escape(help, false);
        out.append('\n').append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    public PrometheusText sample(String name, double value, String... labels) {
        return sample(name, "", formatNumber(value), labels);
    }

    /** The _bucket, _sum and _count samples of one histogram. */
    public PrometheusText histogram(String name, Histogram.Snapshot histogram, String... labels) {
        double[] bounds = histogram.boundsSeconds();
        long[] counts = histogram.cumulativeCounts();
        String[] withLe = new String[labels.length + 2];
        System.arraycopy(labels, 0, withLe, 0, labels.length);
        withLe[labels.length] = "le";
        for (int i = 0; i < counts.length; i++) {
            withLe[labels.length + 1] = i < bounds.length ? formatNumber(bounds[i]) : "+Inf";
            sample(name, "_bucket", Long.toString(counts[i]), withLe);
        }
        sample(name, "_sum", formatNumber(histogram.sumSeconds()), labels);
        return sample(name, "_count", Long.toString(histogram.count()), labels);
    }

    @Override
    public String toString() {
        return out.toString();
    }

    /** Whole numbers without a fraction, others in plain decimal notation; NaN and ±Inf as Prometheus spells them. */
    static String formatNumber(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private PrometheusText sample(String name, String suffix, String value, String... labels) {
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name, value pairs");
        }
        out.append(name).append(suffix);
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(labels[i]).append("=\"");
                escape(labels[i + 1], true);
                out.append('"');
            }
            out.append('}');
        }
        out.append(' ').append(value).append('\n');
        return this;
    }

    /** Backslash and newline always; the double quote inside label values. */
    private void escape(String text, boolean labelValue) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '"' -> out.append(labelValue ? "\\\"" : "\"");
                default -> out.append(c);
            }
        }
    }
}
