// Loads an index store with N LIVE records directly: no HTTP and no volumes, the store's own
// record encoding, many changes per commit. The keys are /scale/0000000000 and up, in order;
// each record names the replicas minikv's Placement gives its key and one md5 (no value exists:
// the store is for timing the index, which never reads values on a GET).
//
//   java -cp target/minikv.jar scripts/IndexLoad.java --db DIR|URL --keys N host:port...
//
// Refuses a store that holds keys already. Progress goes to stderr once a second.
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import minikv.placement.Placement;
import minikv.store.IndexStore;
import minikv.store.Record;

public class IndexLoad {
    public static void main(String[] args) throws Exception {
        String db = null;
        long keys = 0;
        int i = 0;
        for (; i < args.length && args[i].startsWith("--"); i += 2) {
            switch (args[i]) {
                case "--db" -> db = args[i + 1];
                case "--keys" -> keys = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (db == null || keys <= 0 || i == args.length) {
            throw new IllegalArgumentException("usage: IndexLoad --db DIR|URL --keys N host:port...");
        }
        Placement placement = new Placement(List.of(args).subList(i, args.length), 3, 10);
        byte[] md5 = Placement.md5("scale".getBytes(StandardCharsets.UTF_8));
        long total = keys;
        long started = System.nanoTime();
        try (IndexStore store = IndexStore.open(db)) {
            for (Record.State state : Record.State.values()) {
                if (store.keyCounts().of(state) > 0) {
                    throw new IllegalStateException(db + " holds keys already");
                }
            }
            // Many threads, so that each group commit carries many changes; each thread takes
            // every THREADS-th key, so the store is written in near key order.
            int threads = Integer.getInteger("threads", 16);
            AtomicLong done = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long first = t;
                parts.add(pool.submit(() -> {
                    for (long k = first; k < total; k += threads) {
                        byte[] key = String.format("/scale/%010d", k).getBytes(StandardCharsets.UTF_8);
                        if (!store.compareAndSetUnsynced(key, null, Record.live(placement.locations(key), md5))) {
                            throw new IllegalStateException("key " + k + " exists already");
                        }
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            while (!parts.stream().allMatch(Future::isDone)) {
                Thread.sleep(1000);
                double seconds = (System.nanoTime() - started) / 1e9;
                System.err.printf("IndexLoad: %,d of %,d keys, %,.0f keys/s%n", done.get(), total, done.get() / seconds);
            }
            pool.shutdown();
            for (Future<?> part : parts) {
                part.get();
            }
        } // closing makes every record durable
        double seconds = (System.nanoTime() - started) / 1e9;
        System.err.printf("IndexLoad: %,d keys in %.1f s (%,.0f keys/s)%n", total, seconds, total / seconds);
    }
}
