package minikv.tools;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Progress of one long step, shown while it runs: done/total when the total is known, the rate
 * (over the last few seconds), an ETA, and named counters ("3 damaged").
 *
 * <p>On a terminal, one line redrawn in place twice a second; otherwise (a pipe, a log file) a
 * plain line every ten seconds, so that logs stay readable. {@link #println} prints a message
 * (a damaged key's name) without tearing the progress line. Safe for any number of threads.
 */
public final class Progress implements AutoCloseable {

    private static final long RATE_WINDOW_NANOS = 10_000_000_000L;

    private final String step;
    private final String unit;
    private final PrintStream out;
    private final boolean terminal;
    private final long intervalMillis;
    private final long startNanos = System.nanoTime();
    private final LongAdder done = new LongAdder();
    private final Map<String, LongAdder> counters = new ConcurrentSkipListMap<>();
    private final ArrayDeque<long[]> samples = new ArrayDeque<>(); // {nanos, done}, guarded by out
    private final Thread ticker;
    private volatile long total = -1;
    /** Units done by an earlier run that this one resumes: counted in done, not in the rates. */
    private volatile long resumed;
    private volatile boolean closed;
    private boolean lineShown; // guarded by out

    Progress(String step, String unit, PrintStream out, boolean terminal, long intervalMillis) {
        this.step = step;
        this.unit = unit;
        this.out = out;
        this.terminal = terminal;
        this.intervalMillis = intervalMillis;
        this.ticker = new Thread(this::tick, step + "-progress");
        ticker.setDaemon(true);
        ticker.start();
    }

    /** Progress of {@code step} counted in {@code unit}s, on stdout. */
    public static Progress start(String step, String unit) {
        boolean terminal = System.console() != null;
        return new Progress(step, unit, System.out, terminal, terminal ? 500 : 10_000);
    }

    /** Sets the total, once it is known (-1: unknown). */
    public void total(long total) {
        this.total = total;
    }

    /** Starts from {@code n} units done before (by the run this one resumes), so that the ETA counts only this run's pace. */
    public void resumed(long n) {
        resumed = n;
        done.add(n);
    }

    /** {@code n} more units done. */
    public void add(long n) {
        done.add(n);
    }

    public long done() {
        return done.sum();
    }

    /** Adds one to the named counter, shown after the rate. */
    public void count(String counter) {
        count(counter, 1);
    }

    public void count(String counter, long n) {
        counters.computeIfAbsent(counter, c -> new LongAdder()).add(n);
    }

    public long counter(String counter) {
        LongAdder adder = counters.get(counter);
        return adder == null ? 0 : adder.sum();
    }

    /** Prints a line of its own (above the progress line on a terminal). */
    public void println(String line) {
        synchronized (out) {
            clearLine();
            out.println(line);
            out.flush();
        }
    }

    /** Stops the updates and prints the final line: how much, how long, how fast. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ticker.interrupt();
        synchronized (out) {
            clearLine();
            long elapsed = System.nanoTime() - startNanos;
            long n = done.sum();
            out.println(String.format("%s: %,d %s in %s (%,.0f %s/s)", step, n, unit, duration(elapsed),
                    rate(n - resumed, elapsed), unit) + (resumed > 0 ? String.format(", %,d of them done before", resumed) : "")
                    + counterText());
            out.flush();
        }
    }

    private void tick() {
        while (!closed) {
            try {
                Thread.sleep(intervalMillis);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (out) {
                if (closed) {
                    return;
                }
                long now = System.nanoTime();
                long current = done.sum();
                samples.addLast(new long[] {now, current});
                while (samples.size() > 2 && now - samples.peekFirst()[0] > RATE_WINDOW_NANOS) {
                    samples.removeFirst();
                }
                long[] oldest = samples.peekFirst();
                double rate = now == oldest[0] ? rate(current - resumed, now - startNanos)
                        : (current - oldest[1]) * 1e9 / (now - oldest[0]);
                String line = step + ": " + format(current, total, now - startNanos, rate, unit) + counterText();
                if (terminal) {
                    out.print("\r" + line + "\033[K");
                    lineShown = true;
                } else {
                    out.println(line);
                }
                out.flush();
            }
        }
    }

    private void clearLine() {
        if (lineShown) {
            out.print("\r\033[K");
            lineShown = false;
        }
    }

    private String counterText() {
        StringBuilder text = new StringBuilder();
        counters.forEach((name, n) -> text.append(", ").append(String.format("%,d", n.sum())).append(' ').append(name));
        return text.toString();
    }

    private static double rate(long done, long elapsedNanos) {
        return elapsedNanos <= 0 ? 0 : done * 1e9 / elapsedNanos;
    }

    /**
     * "1,234/5,000 keys (24.7%), 410 keys/s, ETA 0:09", or without total "1,234 keys, 410 keys/s".
     * Pure, for tests.
     */
    static String format(long done, long total, long elapsedNanos, double rate, String unit) {
        StringBuilder line = new StringBuilder();
        line.append(String.format("%,d", done));
        if (total >= 0) {
            line.append(String.format("/%,d %s (%.1f%%)", total, unit, total == 0 ? 100.0 : 100.0 * done / total));
        } else {
            line.append(' ').append(unit);
        }
        line.append(String.format(", %,.0f %s/s", rate, unit));
        if (total >= 0 && done < total && rate > 0) {
            line.append(", ETA ").append(duration((long) ((total - done) / rate * 1e9)));
        }
        return line.toString();
    }

    /** "0:07", "12:04", "3:02:09". */
    static String duration(long nanos) {
        long s = Math.max(0, Math.round(nanos / 1e9));
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
    }
}
