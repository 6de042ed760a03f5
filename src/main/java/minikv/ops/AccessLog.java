package minikv.ops;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request, written by a thread of its own: the request's thread (for a GET, the IO
 * thread) only queues a small record, and never waits. When the writer falls behind (a blocked
 * stdout) lines are dropped and counted rather than slowing requests.
 *
 * <pre>2026-11-23T10:15:02.123Z GET /wehave 302 in=0 out=0 ms=0.213 volume=127.0.0.1:3001</pre>
 */
public final class AccessLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    private static final int QUEUE = 16_384;

    /**
     * One request. {@code target} is the query string appended to the raw (still percent-encoded,
     * so single-line) path; {@code volumes} the volume redirected to or written, "-" if none.
     */
    public record Entry(long epochMillis, String method, String target, int status, long bytesIn, long bytesOut,
                        long nanos, String volumes) {}

    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(QUEUE);
    private final LongAdder dropped = new LongAdder();
    private final Writer out;
    private final Thread writer;
    private volatile boolean closing;

    public AccessLog(OutputStream out) {
        this.out = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
        this.writer = new Thread(this::writeLoop, "access-log");
        writer.setDaemon(true);
        writer.start();
    }

    public void add(Entry entry) {
        if (!queue.offer(entry)) {
            dropped.increment();
        }
    }

    public long dropped() {
        return dropped.sum();
    }

    static String format(Entry e) {
        return String.format(Locale.ROOT, "%s %s %s %d in=%d out=%d ms=%.3f volume=%s",
                Instant.ofEpochMilli(e.epochMillis()), e.method(), e.target(), e.status(), e.bytesIn(), e.bytesOut(),
                e.nanos() / 1e6, e.volumes());
    }

    /** Writes what is queued, then stops. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeLoop() {
        List<Entry> batch = new ArrayList<>();
        try {
            while (!closing || !queue.isEmpty()) {
                Entry first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch);
                for (Entry e : batch) {
                    out.write(format(e));
                    out.write('\n');
                }
                batch.clear();
                out.flush(); // once per burst: lines appear promptly without a syscall per request
            }
        } catch (IOException e) {
            log.error("cannot write the access log ({}); requests are no longer logged", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
