package minikv.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import minikv.cluster.ReplicaName;
import minikv.placement.Placement;
import minikv.testing.Cluster;
import minikv.testing.Http;
import minikv.testing.JarProcess;
import minikv.testing.VolumeProcess;

/** What the tools' integration tests share: running a tool, a populated cluster, and checks on it. */
final class ToolsTesting {

    static final Duration TOOL_TIMEOUT = Duration.ofMinutes(2);
    private static final JsonFactory JSON = new JsonFactory();

    private ToolsTesting() {
    }

    record Run(int exit, String output) {}

    /** {@code java -jar minikv.jar args...}, to its end. */
    static Run tool(List<String> args) {
        try (JarProcess p = JarProcess.start(args.toArray(String[]::new))) {
            int exit = p.waitFor(TOOL_TIMEOUT);
            return new Run(exit, p.output());
        }
    }

    /** The tool's arguments: {@code verb}, then {@code options}, then the placement options and volumes of {@code volumes}. */
    static List<String> args(String verb, List<VolumeProcess> volumes, String... options) {
        List<String> args = new ArrayList<>(List.of(verb));
        args.addAll(List.of(options));
        args.addAll(List.of("--replicas", "2"));
        volumes.forEach(v -> args.add(v.address()));
        return args;
    }

    /** What a test put into a cluster, and what it expects of it. */
    static final class Model {
        final Map<String, byte[]> live = new TreeMap<>();
        final Map<String, byte[]> unlinked = new TreeMap<>();
        final Set<String> gone = new TreeSet<>();

        Set<String> all() {
            Set<String> all = new TreeSet<>(live.keySet());
            all.addAll(unlinked.keySet());
            return all;
        }
    }

    /**
     * {@code n} keys of many shapes (with '?', spaces, non-ASCII, and keys whose base64 holds a
     * '/', which nginx stores in a nested directory), values 1 byte to 3 KB; every tenth key is
     * then unlinked and every tenth+5 deleted; one PUT fails half-way (Content-MD5 mismatch).
     */
    static Model populate(Cluster cluster, int n, long seed) {
        Random random = new Random(seed);
        Model model = new Model();
        List<String> keys = new ArrayList<>(List.of("/a?b", "/a?b?c", "/???", "/>>>?"));
        String[] shapes = {"/k/%d", "/q?%d", "/sp ace %d", "/ü/%d?x", "/x/y/z?w=%d&v", "/%d"};
        for (int i = 0; keys.size() < n; i++) {
            keys.add(String.format(shapes[i % shapes.length], i));
        }
        long nested = keys.stream().filter(k -> Base64.getEncoder().encodeToString(k.getBytes(StandardCharsets.UTF_8)).contains("/")).count();
        if (nested < 5) {
            fail("the keys must include some whose base64 has a '/': only " + nested);
        }
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            byte[] value = new byte[1 + random.nextInt(3000)];
            random.nextBytes(value);
            HttpResponse<byte[]> put = Http.put(cluster.keyUrl(key), value);
            assertEquals(201, put.statusCode(), key + ": " + new String(put.body(), StandardCharsets.UTF_8));
            if (i % 10 == 0) {
                assertEquals(204, Http.send("UNLINK", cluster.keyUrl(key)).statusCode(), key);
                model.unlinked.put(key, value);
            } else if (i % 10 == 5) {
                assertEquals(204, Http.delete(cluster.keyUrl(key)).statusCode(), key);
                model.gone.add(key);
            } else {
                model.live.put(key, value);
            }
        }
        String wrongMd5 = Base64.getEncoder().encodeToString(Placement.md5(new byte[] {1}));
        assertEquals(400, Http.put(cluster.keyUrl("/never/completed"), new byte[] {2}, "Content-MD5", wrongMd5).statusCode());
        model.gone.add("/never/completed");
        return model;
    }

    /** Every live key reads back with its value and md5; unlinked and deleted keys are not found. */
    static void assertReadable(Cluster cluster, Model model) {
        model.live.forEach((key, value) -> {
            HttpResponse<byte[]> head = Http.send("HEAD", cluster.keyUrl(key));
            assertEquals(302, head.statusCode(), key);
            assertEquals(md5Hex(value), head.headers().firstValue("Content-Md5").orElse(null), key);
            assertArrayEquals(value, cluster.read(key), key);
        });
        for (String key : model.unlinked.keySet()) {
            assertNull(cluster.read(key), key);
        }
        for (String key : model.gone) {
            assertNull(cluster.read(key), key);
        }
    }

    /**
     * Every value is on exactly its placement volumes for {@code volumes} (under the name its
     * state calls for, byte for byte), and no other file is on any of {@code dirsToSearch}.
     */
    static void assertOnPlacement(Cluster cluster, List<VolumeProcess> volumes, List<VolumeProcess> dirsToSearch, Model model) {
        Placement placement = new Placement(volumes.stream().map(VolumeProcess::address).toList(), 2, 10);
        Set<Path> expected = new HashSet<>();
        for (String key : model.all()) {
            byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            boolean unlinked = model.unlinked.containsKey(key);
            byte[] value = unlinked ? model.unlinked.get(key) : model.live.get(key);
            for (String location : placement.locations(bytes)) {
                VolumeProcess volume = volumes.stream().filter(v -> v.address().equals(Placement.volumeOf(location))).findFirst().orElseThrow();
                Path file = volume.dir().resolve(ReplicaName.path(location, bytes, unlinked).substring(1));
                expected.add(file);
                try {
                    assertArrayEquals(value, java.nio.file.Files.readAllBytes(file), file.toString());
                } catch (IOException e) {
                    fail(key + " has no replica at " + file + " (" + e + ")");
                }
            }
        }
        Set<Path> found = new HashSet<>();
        for (VolumeProcess v : dirsToSearch) {
            found.addAll(valueFiles(v.dir()));
        }
        Set<Path> extra = new TreeSet<>(found);
        extra.removeAll(expected);
        assertEquals(Set.of(), extra, "files left behind");
        assertEquals(expected.size(), found.size());
    }

    /** Every file under a volume's DIR but its runtime directory. */
    static List<Path> valueFiles(Path dir) {
        try (var walk = java.nio.file.Files.walk(dir)) {
            return walk.filter(java.nio.file.Files::isRegularFile).filter(p -> !dir.relativize(p).toString().startsWith(".")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every key of a listing ({@code list} or {@code unlinked}), paging through it. */
    static List<String> listAll(Cluster cluster, String kind) {
        List<String> keys = new ArrayList<>();
        String start = "";
        do {
            String url = cluster.url("/?" + kind + "&limit=50" + (start.isEmpty() ? "" : "&start="
                    + IndexTarget.encode(start.getBytes(StandardCharsets.UTF_8), false)));
            HttpResponse<byte[]> page = Http.get(url);
            assertEquals(200, page.statusCode(), url);
            try (JsonParser json = JSON.createParser(page.body())) {
                start = "";
                json.nextToken();
                while (json.nextToken() == JsonToken.FIELD_NAME) {
                    String field = json.currentName();
                    json.nextToken();
                    if (field.equals("next")) {
                        start = json.getText();
                    } else {
                        while (json.nextToken() != JsonToken.END_ARRAY) {
                            keys.add(json.getText());
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } while (!start.isEmpty());
        return keys;
    }

    static String md5Hex(byte[] value) {
        return HexFormat.of().formatHex(Placement.md5(value));
    }

    /** The HEAD answer's Key-Volumes of every live key: its locations as the index lists them. */
    static Map<String, String> locations(Cluster cluster, Set<String> keys) {
        Map<String, String> out = new TreeMap<>();
        for (String key : keys) {
            out.put(key, Http.send("HEAD", cluster.keyUrl(key)).headers().firstValue("Key-Volumes").orElse(null));
        }
        return out;
    }

    /** A client that keeps PUTting new keys ({@code /w/N}) until closed, and remembers what it got. */
    static final class Writer implements AutoCloseable {
        final Map<String, byte[]> written = new java.util.concurrent.ConcurrentHashMap<>();
        final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        private final Cluster cluster;
        private final Thread thread;
        private volatile boolean stop;

        Writer(Cluster cluster) {
            this.cluster = cluster;
            this.thread = new Thread(this::run, "writer");
            thread.start();
        }

        private void run() {
            Random random = new Random(99);
            for (int i = 0; !stop; i++) {
                String key = "/w/" + i + "?" + i;
                byte[] value = new byte[1 + random.nextInt(2000)];
                random.nextBytes(value);
                HttpResponse<byte[]> put = Http.put(cluster.keyUrl(key), value);
                if (put.statusCode() == 201) {
                    written.put(key, value);
                } else {
                    failures.add(key + ": " + put.statusCode() + " " + new String(put.body(), StandardCharsets.UTF_8));
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join();
        }
    }
}
