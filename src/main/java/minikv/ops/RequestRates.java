package minikv.ops;

/**
 * Requests per second over the last minute or so, for the status page (Prometheus computes its
 * own rates from the counters). A sampler calls {@link #sample} every few seconds with the
 * running totals; the rate is the change across the samples held.
 */
public final class RequestRates {

    private final long[] times;
    private final long[][] totals;
    private int newest = -1;
    private int held;

    /** @param samples how many samples to keep: the window is (samples - 1) sampling intervals */
    public RequestRates(int samples, int series) {
        if (samples < 2) {
            throw new IllegalArgumentException("a rate needs at least two samples");
        }
        this.times = new long[samples];
        this.totals = new long[samples][series];
    }

    /** @param nanoTime a {@link System#nanoTime} reading; {@code seriesTotals} one running total per series */
    public synchronized void sample(long nanoTime, long[] seriesTotals) {
        newest = (newest + 1) % times.length;
        times[newest] = nanoTime;
        System.arraycopy(seriesTotals, 0, totals[newest], 0, totals[newest].length);
        held = Math.min(held + 1, times.length);
    }

    /** Per second across the samples held; 0 until there are two. */
    public synchronized double perSecond(int series) {
        if (held < 2) {
            return 0;
        }
        int oldest = (newest - held + 1 + times.length) % times.length;
        double seconds = (times[newest] - times[oldest]) / 1e9;
        return seconds <= 0 ? 0 : (totals[newest][series] - totals[oldest][series]) / seconds;
    }
}
