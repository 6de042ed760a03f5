package minikv.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import minikv.history.History.Op;
import minikv.history.History.Type;
import minikv.testing.Await;
import minikv.testing.Cluster;
import minikv.testing.JarProcess;
import minikv.testing.VolumeFaults;
import minikv.testing.VolumeProcess;

/**
 * One randomized history (see {@link HistoryIT}): clients run random PUT, GET, DELETE, UNLINK and
 * RELINK on a few keys through the cluster's index processes (client {@code c} through process
 * {@code c % processes}), while a nemesis on a schedule drawn from the seed stops, hangs (SIGSTOP)
 * or kills a volume and restarts it, or kills -9 an index process and starts it again. Then each
 * key is read once more, {@link History} checks the whole history, and {@code verify --repair}
 * must find nothing damaged and no stray file. MINIKV_HISTORY_SECONDS (default 30) and
 * MINIKV_HISTORY_SEED set the run.
 */
final class HistoryRun {

    private static final int KEYS = 8;
    private static final int CLIENTS = 6;
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(3);

    private enum Fault { STOP_VOLUME, HANG_VOLUME, KILL_VOLUME, KILL_INDEX }

    private final Cluster cluster;
    /** Process 0 is the cluster's own index; the others were added. */
    private final AtomicReferenceArray<Cluster.OtherIndex> others;
    private final Duration settle;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CLIENT_TIMEOUT).build();
    private final History history = new History();
    private final long start = System.nanoTime();

    /**
     * @param processes how many index processes serve the clients (more than one needs a shared store)
     * @param settle longer than the background settling takes after the faults, a crashed
     *     process's lease included
     */
    HistoryRun(Cluster cluster, int processes, Duration settle) {
        this.cluster = cluster;
        this.others = new AtomicReferenceArray<>(processes - 1);
        for (int i = 0; i < processes - 1; i++) {
            others.set(i, cluster.addIndex());
        }
        this.settle = settle;
    }

    void run() throws Exception {
        long seconds = Long.parseLong(System.getenv().getOrDefault("MINIKV_HISTORY_SECONDS", "30"));
        long seed = Long.parseLong(System.getenv().getOrDefault("MINIKV_HISTORY_SEED",
                Long.toString(ThreadLocalRandom.current().nextLong())));
        System.out.println("history: seed " + seed + " (MINIKV_HISTORY_SEED=" + seed + " runs it again), " + seconds
                + " s, " + (others.length() + 1) + " index processes");
        Map<Fault, Integer> faults = new EnumMap<>(Fault.class);
        try (VolumeFaults volumeFaults = new VolumeFaults()) {
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                Thread t = new Thread(() -> runClient(client, new Random(seed + client), running), "client-" + c);
                t.start();
                clients.add(t);
            }
            Random nemesis = new Random(seed);
            long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            while (System.nanoTime() < end) {
                Await.pause(Duration.ofMillis(1500 + nemesis.nextInt(2000)));
                Fault fault = Fault.values()[nemesis.nextInt(Fault.values().length)];
                faults.merge(fault, 1, Integer::sum);
                System.out.printf("history: %.0f s, %,d operations so far: %s%n", (System.nanoTime() - start) / 1e9,
                        history.ops().size(), fault);
                inflict(fault, volumeFaults, nemesis);
            }
            running.set(false);
            for (Thread t : clients) {
                t.join(Duration.ofSeconds(30).toMillis());
            }
        }
        Await.pause(settle);
        for (int k = 0; k < KEYS; k++) {
            finalRead(key(k));
        }
        List<String> anomalies = history.anomalies();
        System.out.println(summary(seed, faults, anomalies));
        if (!anomalies.isEmpty()) {
            fail("seed " + seed + ": " + anomalies.size() + " anomalies, the first ones:\n"
                    + String.join("\n", anomalies.subList(0, Math.min(10, anomalies.size()))));
        }
        assertVerifyFindsNothing(seed);
    }

    private String url(int client, String key) {
        int process = client % (others.length() + 1);
        return process == 0 ? cluster.url(key) : others.get(process - 1).url(key);
    }

    private void runClient(int client, Random random, AtomicBoolean running) {
        for (int seq = 0; running.get(); seq++) {
            String key = key(random.nextInt(KEYS));
            int dice = random.nextInt(100);
            Type type = dice < 35 ? Type.PUT : dice < 75 ? Type.GET : dice < 87 ? Type.DELETE : dice < 94 ? Type.UNLINK : Type.RELINK;
            String value = "client " + client + " write " + seq;
            long invoked = System.nanoTime() - start;
            int status = -1;
            String read = null;
            try {
                String url = url(client, key);
                switch (type) {
                    case PUT -> status = send("PUT", url, value).statusCode();
                    case GET -> {
                        HttpResponse<byte[]> index = send("GET", url, null);
                        status = index.statusCode();
                        if (status == 404) {
                            read = History.ABSENT;
                        } else if (status == 302) {
                            HttpResponse<byte[]> volume = send("GET", index.headers().firstValue("Location").orElseThrow(), null);
                            status = volume.statusCode();
                            read = status == 200 ? new String(volume.body(), StandardCharsets.UTF_8)
                                    : status == 404 ? History.ABSENT : null; // 404: deleted since the redirect
                        }
                    }
                    default -> status = send(type.name(), url, null).statusCode();
                }
            } catch (IOException e) {
                status = -1; // no answer: the outcome is unknown
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long completed = status < 0 ? Long.MAX_VALUE : System.nanoTime() - start;
            history.add(new Op(client, key, type, type == Type.PUT ? value : read, invoked, completed, status));
            if (status < 0) {
                Await.pause(Duration.ofMillis(50)); // the index restarting: no need to spin
            }
        }
    }

    private HttpResponse<byte[]> send(String method, String url, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(CLIENT_TIMEOUT);
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private void inflict(Fault fault, VolumeFaults faults, Random nemesis) {
        VolumeProcess volume = cluster.volumes().get(nemesis.nextInt(cluster.volumes().size()));
        int process = nemesis.nextInt(others.length() + 1);
        Duration outage = Duration.ofMillis(500 + nemesis.nextInt(2000));
        switch (fault) {
            case STOP_VOLUME -> {
                volume.stop();
                Await.pause(outage);
                cluster.restartVolume(volume);
            }
            case HANG_VOLUME -> {
                faults.hang(volume);
                Await.pause(outage);
                faults.resumeAll();
            }
            case KILL_VOLUME -> {
                faults.kill(volume);
                Await.pause(outage);
                cluster.restartVolume(volume);
            }
            case KILL_INDEX -> {
                if (process == 0) {
                    cluster.killIndex();
                    Await.pause(outage);
                    cluster.startIndex();
                } else {
                    JarProcess killed = others.get(process - 1).process();
                    killed.signal("KILL");
                    killed.waitFor(Duration.ofSeconds(10));
                    Await.pause(outage);
                    others.set(process - 1, cluster.addIndex());
                }
            }
        }
    }

    /** The key's state at the end, read until an answer is definite; a read invoked after everything else. */
    private void finalRead(String key) throws InterruptedException {
        long deadline = System.nanoTime() + settle.toNanos();
        while (System.nanoTime() < deadline) {
            long invoked = System.nanoTime() - start;
            try {
                HttpResponse<byte[]> index = send("GET", cluster.url(key), null);
                String read = null;
                if (index.statusCode() == 404) {
                    read = History.ABSENT;
                } else if (index.statusCode() == 302) {
                    HttpResponse<byte[]> volume = send("GET", index.headers().firstValue("Location").orElseThrow(), null);
                    read = volume.statusCode() == 200 ? new String(volume.body(), StandardCharsets.UTF_8) : null;
                }
                if (read != null) {
                    history.add(new Op(-1, key, Type.GET, read, invoked, System.nanoTime() - start, index.statusCode()));
                    return;
                }
            } catch (IOException e) {
                // again
            }
            Await.pause(Duration.ofMillis(200));
        }
        fail(key + " gave no definite answer within " + settle + " after the faults ended");
    }

    private void assertVerifyFindsNothing(long seed) {
        List<String> args = new ArrayList<>(List.of("verify", "--repair", "--replicas", "2", "--index", cluster.url("")));
        cluster.volumes().forEach(v -> args.add(v.address()));
        try (JarProcess verify = JarProcess.start(args.toArray(String[]::new))) {
            int exit = verify.waitFor(Duration.ofMinutes(2));
            String output = "seed " + seed + ":\n" + verify.output();
            assertEquals(0, exit, output);
            // Candidates (an unlinked key's files, whose locations the index lists only on asking) are fine; removals are not.
            assertTrue(output.contains("(0 files certainly stray)") && !output.matches("(?s).*verify: strays: [^\n]*repaired.*"),
                    "stray files after the faults, " + output);
            assertTrue(!output.contains("repaired /"), "damaged keys after the faults, " + output);
        }
    }

    private String summary(long seed, Map<Fault, Integer> faults, List<String> anomalies) {
        Map<String, Integer> outcomes = new TreeMap<>();
        for (Op op : history.ops()) {
            outcomes.merge(op.type() + " " + (op.status() < 0 ? "no answer" : op.status()), 1, Integer::sum);
        }
        return "history: seed " + seed + ", " + history.ops().size() + " operations " + outcomes + ", faults " + faults
                + ", " + anomalies.size() + " anomalies";
    }

    private static String key(int k) {
        return "/history/" + k;
    }
}
