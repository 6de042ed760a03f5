package minikv.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import com.sun.management.OperatingSystemMXBean;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A thrasher like minikeyvalue's: every key is PUT, fetched through the index's 302 from its
 * volume and checked byte for byte, then DELETEd; {@code --workers} keys are in flight at once.
 *
 * <p>The client is {@link HttpURLConnection} with keep-alive: on this machine class it made
 * about twice the requests per second of the JDK HttpClient, and the client shares the cores
 * with the servers it measures.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Thrashes a running index: each key is PUT (expects 201), fetched by GET through the "
                    + "index's 302 from its volume (value checked byte for byte), then DELETEd (expects 204).",
            "Prints cycles/s and latency percentiles per request; exits 1 if any request failed."},
        footer = {"", "The client shares the machine with what it measures. In runs of seconds, "
                + "java -XX:TieredStopAtLevel=1 -jar minikv.jar bench ... spends about 40%% less client CPU "
                + "(scripts/bench runs it so)."})
public final class BenchCommand implements Callable<Integer> {

    /** Failures described in the summary; the rest are only counted. */
    private static final int FAILURES_NAMED = 5;
    /** A dead or broken index should end the run quickly rather than fail every key. */
    private static final int GIVE_UP_AFTER_FAILURES = 100;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int READ_TIMEOUT_MILLIS = 30_000;

    @Option(names = "--keys", paramLabel = "N", defaultValue = "10000",
            description = "Keys to cycle through PUT, GET, DELETE (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--workers", paramLabel = "C", defaultValue = "16",
            description = "Keys in flight at once, one thread each (default: ${DEFAULT-VALUE}).")
    int workers;

    // minikeyvalue's thrasher stores "value-" plus a random 63-bit number: about 25 bytes.
    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "25",
            description = "Bytes per value, random for every key (default: ${DEFAULT-VALUE}, "
                    + "like minikeyvalue's thrasher).")
    int size;

    @Option(names = "--index", paramLabel = "URL", split = ",", defaultValue = "http://127.0.0.1:3000",
            description = "The index server's base URL (default: ${DEFAULT-VALUE}). Several (comma-separated or repeated):"
                    + " index processes sharing one database; the cycles take them in turn, and each cycle's GET goes to"
                    + " the next one after its PUT's and DELETE's.")
    List<String> indexes;

    @Spec
    CommandSpec spec;

    private final AtomicInteger nextKey = new AtomicInteger();
    private final AtomicInteger cyclesDone = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private final List<String> namedFailures = new ArrayList<>();

    private Latencies putLatencies;
    private Latencies redirectLatencies;
    private Latencies fetchLatencies;
    private Latencies deleteLatencies;
    private Latencies cycleLatencies;

    @Override
    public Integer call() throws InterruptedException {
        List<String> bases = validatedIndexBases();
        // Idle keep-alive connections kept per server; the default 5 would make 16 workers
        // reconnect all the time. KeepAliveCache reads it once, before the first connection.
        System.setProperty("http.maxConnections", Integer.toString(Math.max(5, workers)));

        putLatencies = new Latencies("PUT", keys);
        redirectLatencies = new Latencies("GET index (302)", keys);
        fetchLatencies = new Latencies("GET volume (200)", keys);
        deleteLatencies = new Latencies("DELETE", keys);
        cycleLatencies = new Latencies("whole cycle", keys);

        // Unique per run, so that a re-run never meets keys an earlier (failed) run left behind.
        String keyPrefix = "/bench-" + Long.toString(System.currentTimeMillis(), 36) + "-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + "-";

        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "bench: %,d keys, %d workers, %,d-byte values, index %s%n", keys, workers, size,
                String.join(", ", bases));

        long cpuAtStart = processCpuNanos();
        long start = System.nanoTime();
        ScheduledExecutorService progress = startProgress(out, start);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            Thread t = new Thread(() -> work(bases, keyPrefix), "bench-worker-" + w);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        long elapsed = System.nanoTime() - start;
        progress.shutdownNow();
        progress.awaitTermination(1, TimeUnit.SECONDS);
        if (System.console() != null) {
            out.println();
        }

        printSummary(out, elapsed, cpuAtStart < 0 ? -1 : processCpuNanos() - cpuAtStart);
        return failures.get() == 0 ? 0 : 1;
    }

    /** The index URLs without a trailing slash, or a usage error for anything else than http://host:port. */
    private List<String> validatedIndexBases() {
        if (keys < 1) {
            throw usage("--keys must be at least 1, not " + keys);
        }
        if (keys > 10_000_000) {
            throw usage("--keys must be at most 10,000,000 (every latency is kept in memory), not " + keys);
        }
        if (workers < 1 || workers > 1024) {
            throw usage("--workers must be between 1 and 1024, not " + workers);
        }
        if (size < 1 || size > 64 << 20) {
            throw usage("--size must be between 1 and 67108864 bytes (64 MiB), not " + size);
        }
        List<String> bases = new ArrayList<>();
        for (String index : indexes) {
            URI uri;
            try {
                uri = new URI(index);
            } catch (URISyntaxException e) {
                throw usage("--index is not a URL: " + index);
            }
            boolean bare = (uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/"))
                    && uri.getQuery() == null && uri.getFragment() == null;
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null || !bare) {
                throw usage("--index must be a base URL like http://127.0.0.1:3000, not " + index);
            }
            bases.add("http://" + uri.getRawAuthority());
        }
        return bases;
    }

    /**
     * The thrasher shares the cores with what it measures, so the summary says how much it took.
     * -1 where the JVM cannot tell.
     */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private void work(List<String> bases, String keyPrefix) {
        byte[] value = new byte[size];
        for (int i = nextKey.getAndIncrement(); i < keys; i = nextKey.getAndIncrement()) {
            if (failures.get() >= GIVE_UP_AFTER_FAILURES) {
                return;
            }
            ThreadLocalRandom.current().nextBytes(value);
            String path = keyPrefix + i;
            int n = bases.size();
            cycle(bases.get(i % n) + path, bases.get((i + 1) % n) + path, value);
            cyclesDone.incrementAndGet();
        }
    }

    /** PUT and DELETE through {@code writeUrl}, GET through {@code readUrl} (the same key, maybe another index process). */
    private void cycle(String writeUrl, String readUrl, byte[] value) {
        long start = System.nanoTime();
        String step = "PUT " + writeUrl;
        try {
            URL key = new URL(writeUrl);
            if (!expect(step, timed(putLatencies, "PUT", key, value), 201)) {
                return;
            }
            step = "GET " + readUrl;
            URL read = new URL(readUrl);
            Response redirect = timed(redirectLatencies, "GET", read, null);
            if (!expect(step, redirect, 302)) {
                return;
            }
            if (redirect.location == null) {
                fail(step + ": 302 without a Location header");
                return;
            }
            URL volume = new URL(read, redirect.location);
            step = "GET " + volume + " (redirected from " + readUrl + ")";
            Response fetched = timed(fetchLatencies, "GET", volume, null);
            if (!expect(step, fetched, 200)) {
                return;
            }
            if (!Arrays.equals(fetched.body, value)) {
                fail(step + ": wrong value, " + fetched.body.length + " bytes that differ from the "
                        + value.length + " bytes PUT");
                return;
            }
            step = "DELETE " + writeUrl;
            if (!expect(step, timed(deleteLatencies, "DELETE", key, null), 204)) {
                return;
            }
            cycleLatencies.record(System.nanoTime() - start);
        } catch (IOException | RuntimeException e) {
            fail(step + ": " + e);
        }
    }

    private boolean expect(String step, Response response, int status) {
        if (response.status == status) {
            return true;
        }
        fail(step + ": status " + response.status + ", expected " + status);
        return false;
    }

    private void fail(String description) {
        if (failures.incrementAndGet() <= FAILURES_NAMED) {
            synchronized (namedFailures) {
                namedFailures.add(description);
            }
        }
    }

    private static Response timed(Latencies latencies, String method, URL url, byte[] body) throws IOException {
        long start = System.nanoTime();
        Response response = exchange(method, url, body);
        latencies.record(System.nanoTime() - start);
        return response;
    }

    private record Response(int status, String location, byte[] body) {}

    private static Response exchange(String method, URL url, byte[] requestBody) throws IOException {
        // NO_PROXY skips the ProxySelector lookup that every openConnection() would otherwise make.
        HttpURLConnection c = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
        c.setRequestMethod(method);
        // Redirects are followed by hand, so that the index and the volume are timed apart.
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        c.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
        c.setReadTimeout(READ_TIMEOUT_MILLIS);
        if (requestBody != null) {
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(requestBody.length);
            try (OutputStream out = c.getOutputStream()) {
                out.write(requestBody);
            }
        }
        int status = c.getResponseCode();
        // Reading the body to its end and closing the stream (not disconnect()) hands the
        // connection back to the keep-alive cache.
        byte[] body = new byte[0];
        try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
            if (in != null) {
                body = in.readAllBytes();
            }
        }
        return new Response(status, c.getHeaderField("Location"), body);
    }

    /**
     * On a terminal one line rewritten twice a second; otherwise (a log, a pipe) a plain line
     * every five seconds.
     */
    private ScheduledExecutorService startProgress(PrintWriter out, long start) {
        boolean terminal = System.console() != null;
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-progress");
            t.setDaemon(true);
            return t;
        });
        long periodMillis = terminal ? 500 : 5_000;
        timer.scheduleAtFixedRate(() -> {
            int done = cyclesDone.get();
            double seconds = (System.nanoTime() - start) / 1e9;
            double rate = done / seconds;
            String eta = rate > 0 ? String.format(Locale.ROOT, "%.0f s", (keys - done) / rate) : "?";
            String line = String.format(Locale.ROOT, "%,d/%,d cycles  %,.0f cycles/s  ETA %s  %d failures",
                    done, keys, rate, eta, failures.get());
            if (terminal) {
                out.print("\r" + line + "   ");
                out.flush();
            } else {
                out.println(line);
            }
        }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        return timer;
    }

    /** @param cpuNanos CPU time this JVM spent during the run, or -1 if unknown */
    private void printSummary(PrintWriter out, long elapsedNanos, long cpuNanos) {
        double seconds = elapsedNanos / 1e9;
        List<Latencies.Summary> summaries = Stream.of(putLatencies, redirectLatencies, fetchLatencies,
                deleteLatencies, cycleLatencies).map(Latencies::summarize).toList();
        // Only whole, correct cycles count towards the rate: a fast failure is no throughput.
        int completed = summaries.get(summaries.size() - 1).count();
        out.printf(Locale.ROOT, "%,d of %,d cycles completed in %.2f s: %.1f cycles/s, %d failures%n",
                completed, cyclesDone.get(), seconds, completed / seconds, failures.get());
        if (cpuNanos >= 0 && completed > 0) {
            double cpuSeconds = cpuNanos / 1e9;
            out.printf(Locale.ROOT, "client CPU: %.2f s, %.0f us per cycle, %.2f cores%n",
                    cpuSeconds, cpuSeconds * 1e6 / completed, cpuSeconds / seconds);
        }
        out.printf(Locale.ROOT, "%-18s %8s %9s %9s %9s %9s%n", "latency (ms)", "count", "p50", "p90", "p99", "max");
        for (Latencies.Summary s : summaries) {
            if (s.count() == 0) {
                out.printf(Locale.ROOT, "%-18s %8d %9s %9s %9s %9s%n", s.name(), 0, "-", "-", "-", "-");
            } else {
                out.printf(Locale.ROOT, "%-18s %8d %9.2f %9.2f %9.2f %9.2f%n", s.name(), s.count(),
                        s.p50Nanos() / 1e6, s.p90Nanos() / 1e6, s.p99Nanos() / 1e6, s.maxNanos() / 1e6);
            }
        }
        if (failures.get() > 0) {
            out.printf(Locale.ROOT, "FAILED: %d failures%s; the first:%n", failures.get(),
                    failures.get() >= GIVE_UP_AFTER_FAILURES ? " (gave up early)" : "");
            synchronized (namedFailures) {
                namedFailures.forEach(f -> out.println("  " + f));
            }
        }
    }
}
