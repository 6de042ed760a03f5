package minikv.ops;

import java.util.concurrent.atomic.LongAdder;

/**
 * Durations counted into fixed buckets, Prometheus style. {@link #observe} is cheap enough for
 * every request: a scan of a short array and two adds, no lock, no allocation.
 */
public final class Histogram {

    /** Upper bounds in seconds: from 100 µs (a redirect) to 2 min (a multi-GiB PUT). */
    public static final double[] LATENCY_BOUNDS_SECONDS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

    private final double[] boundsSeconds;
    private final long[] boundsNanos;
    /** One more than the bounds: the last counts what exceeds every bound (+Inf). */
    private final LongAdder[] buckets;
    private final LongAdder sumNanos = new LongAdder();

    public Histogram(double[] boundsSeconds) {
        for (int i = 1; i < boundsSeconds.length; i++) {
            if (!(boundsSeconds[i] > boundsSeconds[i - 1])) {
                throw new IllegalArgumentException("bucket bounds must increase");
            }
        }
        this.boundsSeconds = boundsSeconds.clone();
        this.boundsNanos = new long[boundsSeconds.length];
        for (int i = 0; i < boundsSeconds.length; i++) {
            boundsNanos[i] = Math.round(boundsSeconds[i] * 1e9);
        }
        this.buckets = new LongAdder[boundsSeconds.length + 1];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    public static Histogram forLatency() {
        return new Histogram(LATENCY_BOUNDS_SECONDS);
    }

    public void observe(long nanos) {
        int i = 0;
        while (i < boundsNanos.length && nanos > boundsNanos[i]) {
            i++;
        }
        buckets[i].increment();
        sumNanos.add(nanos);
    }

    /**
     * A consistent-enough copy for one scrape: cumulative counts per bound (Prometheus's
     * {@code le}), the last for +Inf. Concurrent observations may land between two buckets'
     * reads; the counts are made cumulative after reading, so they never decrease along the bounds.
     */
    public Snapshot snapshot() {
        long[] cumulative = new long[buckets.length];
        long running = 0;
        for (int i = 0; i < buckets.length; i++) {
            running += buckets[i].sum();
            cumulative[i] = running;
        }
        return new Snapshot(boundsSeconds.clone(), cumulative, sumNanos.sum() / 1e9);
    }

    /** @param cumulativeCounts per bound, then +Inf (which is the total count) */
    public record Snapshot(double[] boundsSeconds, long[] cumulativeCounts, double sumSeconds) {
        public long count() {
            return cumulativeCounts[cumulativeCounts.length - 1];
        }
    }
}
