package minikv.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Latencies of one kind of request, recorded by many threads and summarised once they are done.
 * Every sample is kept (a few MB for a run of 10,000 keys), so the percentiles are exact.
 */
final class Latencies {

    private final String name;
    private final long[] nanos;
    private final AtomicInteger count = new AtomicInteger();

    /** @param capacity the most samples kept; later ones are dropped */
    Latencies(String name, int capacity) {
        this.name = name;
        this.nanos = new long[capacity];
    }

    void record(long elapsedNanos) {
        int slot = count.getAndIncrement();
        if (slot < nanos.length) {
            nanos[slot] = elapsedNanos;
        }
    }

    /** Call only after the recording threads have been joined, so that all their samples are seen. */
    Summary summarize() {
        long[] sorted = Arrays.copyOf(nanos, Math.min(count.get(), nanos.length));
        Arrays.sort(sorted);
        if (sorted.length == 0) {
            return new Summary(name, 0, 0, 0, 0, 0);
        }
        return new Summary(name, sorted.length, percentile(sorted, 50), percentile(sorted, 90),
                percentile(sorted, 99), sorted[sorted.length - 1]);
    }

    /**
     * Nearest-rank percentile: the smallest sample that at least {@code percent}% of the samples
     * are at or below. Always an observed value, never an interpolation.
     */
    static long percentile(long[] sorted, double percent) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        if (!(percent > 0 && percent <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], not " + percent);
        }
        // percent * n / 100 rather than percent / 100 * n: exact for whole percents and n < 2^45.
        int rank = (int) Math.ceil(percent * sorted.length / 100.0);
        return sorted[rank - 1];
    }

    record Summary(String name, int count, long p50Nanos, long p90Nanos, long p99Nanos, long maxNanos) {}
}
