package minikv.ops;

import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request counts by method and status, latency by method, and bytes in and out, for the index's
 * HTTP front. Recording is on the path of every request, GETs on the IO thread included: a short
 * method match, an array index and a few {@link LongAdder} adds, nothing allocated after a
 * (method, status) pair's first request.
 */
public final class RequestMetrics {

    /** The methods of the API; anything else counts as OTHER. */
    public enum Method {
        GET(Methods.GET), HEAD(Methods.HEAD), PUT(Methods.PUT), DELETE(Methods.DELETE),
        UNLINK(new HttpString("UNLINK")), RELINK(new HttpString("RELINK")), OTHER(null);

        private final HttpString name;

        Method(HttpString name) {
            this.name = name;
        }

        private static final Method[] KNOWN = {GET, HEAD, PUT, DELETE, UNLINK, RELINK};

        public static Method of(HttpString requestMethod) {
            for (Method m : KNOWN) {
                if (m.name.equals(requestMethod)) {
                    return m;
                }
            }
            return OTHER;
        }
    }

    private static final int MIN_STATUS = 100;
    private static final int STATUSES = 500; // 100..599
    private static final Method[] METHODS = Method.values();

    /** Per method, per status - 100; created on first use. */
    private final AtomicReferenceArray<LongAdder> counts = new AtomicReferenceArray<>(METHODS.length * STATUSES);
    private final Histogram[] durations = new Histogram[METHODS.length];
    private final LongAdder[] received = new LongAdder[METHODS.length];
    private final LongAdder[] sent = new LongAdder[METHODS.length];

    public RequestMetrics() {
        for (int m = 0; m < METHODS.length; m++) {
            durations[m] = Histogram.forLatency();
            received[m] = new LongAdder();
            sent[m] = new LongAdder();
        }
    }

    /** One finished request; {@code nanos} < 0 when its start time is unknown. */
    public void record(Method method, int status, long nanos, long bytesSent) {
        int s = Math.min(Math.max(status, MIN_STATUS), MIN_STATUS + STATUSES - 1) - MIN_STATUS;
        int cell = method.ordinal() * STATUSES + s;
        LongAdder count = counts.get(cell);
        if (count == null) {
            counts.compareAndSet(cell, null, new LongAdder());
            count = counts.get(cell);
        }
        count.increment();
        if (nanos >= 0) {
            durations[method.ordinal()].observe(nanos);
        }
        if (bytesSent > 0) {
            sent[method.ordinal()].add(bytesSent);
        }
    }

    /** Request body bytes, counted as they are read (a long PUT shows up while it runs). */
    public void received(Method method, long bytes) {
        received[method.ordinal()].add(bytes);
    }

    /** Calls {@code visitor} for each (method, status) seen so far. */
    public void forEachCount(CountVisitor visitor) {
        for (int cell = 0; cell < counts.length(); cell++) {
            LongAdder count = counts.get(cell);
            if (count != null) {
                visitor.visit(METHODS[cell / STATUSES], MIN_STATUS + cell % STATUSES, count.sum());
            }
        }
    }

    /** Requests of {@code method} so far, any status. */
    public long total(Method method) {
        long total = 0;
        for (int s = 0; s < STATUSES; s++) {
            LongAdder count = counts.get(method.ordinal() * STATUSES + s);
            total += count == null ? 0 : count.sum();
        }
        return total;
    }

    /** Requests answered 5xx so far, any method. */
    public long serverErrors() {
        long total = 0;
        for (Method m : METHODS) {
            for (int s = 500 - MIN_STATUS; s < STATUSES; s++) {
                LongAdder count = counts.get(m.ordinal() * STATUSES + s);
                total += count == null ? 0 : count.sum();
            }
        }
        return total;
    }

    public Histogram.Snapshot durations(Method method) {
        return durations[method.ordinal()].snapshot();
    }

    public long receivedBytes(Method method) {
        return received[method.ordinal()].sum();
    }

    public long sentBytes(Method method) {
        return sent[method.ordinal()].sum();
    }

    @FunctionalInterface
    public interface CountVisitor {
        void visit(Method method, int status, long count);
    }
}
