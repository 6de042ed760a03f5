package minikv.store;

import java.nio.ByteBuffer;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lookups that wait on no caller's thread: a request's key joins a queue, and a few reader
 * threads of the store's own each take every key queued so far and look them all up in one
 * query ({@code key = ANY(?)}). Under load, one round trip and one statement serve dozens of
 * GETs, and the index's IO threads hand a GET over without waiting for it (see GetHandler).
 * Measured on the 2-core machine before this existed: a GET on a worker thread cost the index
 * 3 times the CPU of the same GET on Xodus, about half of it in context switches.
 */
final class PostgresReads implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PostgresReads.class);
    /** Queries in flight at once; more would only queue in the server's two cores. */
    private static final int READERS = 4;
    private static final int MAX_BATCH = 256;

    private record Lookup(byte[] key, IndexStore.Found found) {}

    private final PostgresPool pool;
    private final BlockingQueue<Lookup> queue = new LinkedBlockingQueue<>();
    private final List<Thread> readers = new ArrayList<>();
    private volatile boolean closed;

    PostgresReads(PostgresPool pool) {
        this.pool = pool;
        for (int i = 0; i < READERS; i++) {
            Thread t = new Thread(this::read, "index-db-reader-" + i);
            t.setDaemon(true);
            t.start();
            readers.add(t);
        }
    }

    void lookUp(byte[] key, IndexStore.Found found) {
        if (closed) {
            found.failed(new IllegalStateException("the index database is closed"));
            return;
        }
        queue.add(new Lookup(key, found));
    }

    private void read() {
        List<Lookup> batch = new ArrayList<>();
        while (!closed) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            answer(batch);
            batch.clear();
        }
        failPending();
    }

    private void answer(List<Lookup> batch) {
        Map<ByteBuffer, Record> found;
        try {
            found = pool.autocommit(c -> {
                byte[][] keys = new byte[batch.size()][];
                for (int i = 0; i < keys.length; i++) {
                    keys[i] = batch.get(i).key();
                }
                Map<ByteBuffer, Record> records = new HashMap<>();
                try (PreparedStatement s = c.prepareStatement("SELECT key, record FROM minikv_records WHERE key = ANY(?)")) {
                    Array array = c.createArrayOf("bytea", keys);
                    s.setArray(1, array);
                    try (ResultSet r = s.executeQuery()) {
                        while (r.next()) {
                            byte[] record = r.getBytes(2);
                            records.put(ByteBuffer.wrap(r.getBytes(1)), Record.decode(record, record.length));
                        }
                    }
                    array.free();
                }
                return records;
            });
        } catch (RuntimeException e) {
            for (Lookup lookup : batch) {
                lookup.found().failed(e);
            }
            return;
        }
        for (Lookup lookup : batch) {
            try {
                lookup.found().found(found.get(ByteBuffer.wrap(lookup.key())));
            } catch (RuntimeException e) {
                log.warn("a lookup's answer failed: {}", e.toString());
            }
        }
    }

    private void failPending() {
        List<Lookup> left = new ArrayList<>();
        queue.drainTo(left);
        for (Lookup lookup : left) {
            lookup.found().failed(new IllegalStateException("the index database is closed"));
        }
    }

    /** Stops the readers; lookups still queued fail. */
    @Override
    public void close() {
        closed = true;
        readers.forEach(Thread::interrupt);
        for (Thread t : readers) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        failPending();
    }
}
