package minikv.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import minikv.cluster.ReplicaName;
import minikv.devcluster.Members;
import minikv.placement.Placement;

/**
 * A whole store on 127.0.0.1: N volume servers and one index, each a {@code java -jar}
 * subprocess of the built jar (so the index can be killed with -9 and restarted on its database).
 * Laid out and started as {@code dev-cluster} does ({@link Members}); unlike it, each member is
 * under the test's control, to be killed, frozen or started again with other options.
 *
 * <pre>
 * try (Cluster cluster = Cluster.start(tempDir, 3)) {
 *     Http.put(cluster.url("/key"), bytes);
 * }
 * </pre>
 * Layout under the given directory: {@code volume1..N/} (each volume's DIR) and {@code indexdb/}.
 */
public final class Cluster implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Path root;
    private final List<VolumeProcess> volumes = new ArrayList<>();
    private List<String> jvmOptions = List.of();
    private List<String> indexOptions = List.of();
    private List<String> volumeOptions = List.of();
    private JarProcess index;
    private int indexPort;
    /** More index processes on the same database and volumes (a shared store). */
    private final List<OtherIndex> otherIndexes = new ArrayList<>();
    /** The index's --db: its directory under the root unless another database was given. */
    private String database;

    private Cluster(Path root) {
        this.root = root;
    }

    /** Starts {@code volumeCount} volumes and an index over them with the given index options. */
    public static Cluster start(Path root, int volumeCount, String... indexOptions) {
        return start(root, volumeCount, List.of(), indexOptions);
    }

    /** The same, with JVM options for the index, e.g. {@code -Xmx64m}. */
    public static Cluster start(Path root, int volumeCount, List<String> indexJvmOptions, String... indexOptions) {
        return start(root, volumeCount, List.of(), indexJvmOptions, indexOptions);
    }

    /** With options for every volume too, e.g. {@code --secret-file F}; restarted volumes get them again. */
    public static Cluster startWithVolumeOptions(Path root, int volumeCount, List<String> volumeOptions,
            String... indexOptions) {
        return start(root, volumeCount, volumeOptions, List.of(), indexOptions);
    }

    /** With the index on another database than its directory under the root, e.g. a postgresql:// URL. */
    public static Cluster startOn(String database, Path root, int volumeCount, String... indexOptions) {
        return start(database, root, volumeCount, List.of(), List.of(), indexOptions);
    }

    private static Cluster start(Path root, int volumeCount, List<String> volumeOptions, List<String> indexJvmOptions,
            String... indexOptions) {
        return start(null, root, volumeCount, volumeOptions, indexJvmOptions, indexOptions);
    }

    private static Cluster start(String database, Path root, int volumeCount, List<String> volumeOptions,
            List<String> indexJvmOptions, String... indexOptions) {
        Cluster cluster = new Cluster(root);
        cluster.database = database != null ? database : cluster.db().toString();
        cluster.volumeOptions = List.copyOf(volumeOptions);
        try {
            for (int i = 1; i <= volumeCount; i++) {
                cluster.volumes.add(VolumeProcess.start(Members.volumeDir(root, i), volumeOptions.toArray(String[]::new)));
            }
            cluster.startIndex(indexJvmOptions, indexOptions);
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** "http://127.0.0.1:PORT" + path, on the index. */
    public String url(String path) {
        return "http://127.0.0.1:" + indexPort + path;
    }

    /** The index URL of a key, percent-encoding every byte but unreserved characters and '/'. */
    public String keyUrl(String key) {
        StringBuilder path = new StringBuilder();
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c == '/' || c == '-' || c == '_' || c == '.' || c == '~' || (c < 0x80 && Character.isLetterOrDigit(c))) {
                path.append(c);
            } else {
                path.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return url(path.toString());
    }

    /** The value of a key, read as a client does: through the index's redirect; null if 404. */
    public byte[] read(String key) {
        return readThrough(keyUrl(key));
    }

    /** The value at an index's URL of a key: its redirect followed; null if 404. */
    private static byte[] readThrough(String keyUrl) {
        HttpResponse<byte[]> redirect = Http.get(keyUrl);
        if (redirect.statusCode() == 404) {
            return null;
        }
        String location = redirect.headers().firstValue("Location").orElse(null);
        if (redirect.statusCode() != 302 || location == null) {
            fail("GET " + keyUrl + " answered " + redirect.statusCode() + ": " + new String(redirect.body(), StandardCharsets.UTF_8));
        }
        HttpResponse<byte[]> value = Http.get(location);
        if (value.statusCode() != 200) {
            fail("GET " + location + " (replica of " + keyUrl + ") answered " + value.statusCode());
        }
        return value.body();
    }

    public JarProcess index() {
        return index;
    }

    public List<VolumeProcess> volumes() {
        return volumes;
    }

    /** The volume a location ({@code host:port} or {@code host:port/svXX}) names. */
    public VolumeProcess volume(String location) {
        String address = Placement.volumeOf(location);
        return volumes.stream().filter(v -> v.address().equals(address)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no volume " + address + " in this cluster"));
    }

    public Path db() {
        return Members.indexDb(root);
    }

    /** The index's placement of a key: its locations, first to last. */
    public List<String> locations(String key) {
        return placement().locations(key.getBytes(StandardCharsets.UTF_8));
    }

    /** Every value file on every volume (runtime files excluded). */
    public List<Path> files() {
        List<Path> files = new ArrayList<>();
        for (VolumeProcess v : volumes) {
            try (Stream<Path> walk = Files.walk(v.dir())) {
                walk.filter(Files::isRegularFile)
                        .filter(p -> !v.dir().relativize(p).toString().startsWith("."))
                        .forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    /** PUT bodies still in the volumes' nginx temp directories: partial uploads nobody will finish. */
    public List<Path> partialUploads() {
        List<Path> partial = new ArrayList<>();
        for (VolumeProcess v : volumes) {
            try (Stream<Path> walk = Files.walk(v.dir().resolve(".minikv/client_body_temp"))) {
                walk.filter(Files::isRegularFile).forEach(partial::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return partial;
    }

    /** The files on the volumes that hold a replica of {@code key}, under its live or its unlinked name. */
    public List<Path> replicaFiles(String key) {
        String path = Placement.path(key);
        String unlinked = path + ReplicaName.UNLINKED_SUFFIX;
        return files().stream().filter(p -> p.toString().endsWith(path) || p.toString().endsWith(unlinked)).toList();
    }

    /** Where the replica of {@code key} at {@code location} must be on that volume's disk. */
    public Path replicaFile(String location, String key) {
        return volume(location).dir().resolve(Placement.replicaPath(location, key.getBytes(StandardCharsets.UTF_8)).substring(1));
    }

    /** Stops the index with SIGTERM and waits for it to exit; returns its exit status. */
    public int stopIndex() {
        index.signal("TERM");
        return index.waitFor(START_TIMEOUT);
    }

    /** Kills the index with SIGKILL, as a crash would. */
    public void killIndex() {
        index.signal("KILL");
        index.waitFor(START_TIMEOUT);
    }

    /** Starts the index again on the same database, volumes and options (on a new port). */
    public void startIndex() {
        startIndex(jvmOptions, indexOptions.toArray(String[]::new));
    }

    /** Starts the index again on the same volumes and options, on another database (a directory or URL). */
    public void startIndexOn(String otherDatabase) {
        database = otherDatabase;
        startIndex();
    }

    /** Starts the index again on the same database and volumes, with other options. */
    public void startIndex(String... newIndexOptions) {
        startIndex(jvmOptions, newIndexOptions);
    }

    private void startIndex(List<String> jvm, String... options) {
        jvmOptions = List.copyOf(jvm);
        indexOptions = List.of(options);
        indexPort = FreePorts.next();
        index = launchIndex(indexPort);
    }

    private JarProcess launchIndex(int port) {
        List<String> args = Members.index("127.0.0.1", port, database, volumes.stream().map(VolumeProcess::address).toList(),
                indexOptions);
        JarProcess started = JarProcess.start(jvmOptions, args.toArray(String[]::new));
        if (!started.awaitOutput("index 127.0.0.1:" + port + " ", START_TIMEOUT)) {
            started.close();
            fail("index did not start; its output:\n" + started.output());
        }
        return started;
    }

    /** One more index process on the cluster's database (a shared one), volumes and options. */
    public record OtherIndex(JarProcess process, int port) implements AutoCloseable {
        public String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }

        /** As {@link Cluster#read}, through this process (a key of unreserved characters). */
        public byte[] read(String key) {
            return readThrough(url(key));
        }

        @Override
        public void close() {
            process.close();
        }
    }

    /** Starts one more index process beside the first; the cluster stops it on close. */
    public OtherIndex addIndex() {
        int port = FreePorts.next();
        OtherIndex other = new OtherIndex(launchIndex(port), port);
        otherIndexes.add(other);
        return other;
    }

    private Placement placement() {
        int replicas = Integer.parseInt(option("--replicas", "3"));
        int subvolumes = Integer.parseInt(option("--subvolumes", "10"));
        return new Placement(volumes.stream().map(VolumeProcess::address).toList(), replicas, subvolumes);
    }

    private String option(String name, String otherwise) {
        int i = indexOptions.indexOf(name);
        return i < 0 ? otherwise : indexOptions.get(i + 1);
    }

    /**
     * Starts a stopped volume again on its port and directory, with the cluster's volume options
     * plus extra launcher arguments (e.g. {@code --template FILE}); returns its new handle.
     */
    public VolumeProcess restartVolume(VolumeProcess stopped, String... launcherArgs) {
        List<String> args = new ArrayList<>(volumeOptions);
        args.addAll(List.of(launcherArgs));
        VolumeProcess again = VolumeProcess.start(stopped.port(), stopped.dir(), args.toArray(String[]::new));
        volumes.set(volumes.indexOf(stopped), again);
        return again;
    }

    /**
     * Starts one more volume (its DIR a new directory under the root). The index knows of it
     * once started again; the cluster stops it on close.
     */
    public VolumeProcess addVolume() {
        try {
            VolumeProcess added = VolumeProcess.start(Files.createTempDirectory(root, "volume"), volumeOptions.toArray(String[]::new));
            volumes.add(added);
            return added;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Takes a volume out of the list the index is started with, still running (its values may
     * still be read from it); the caller stops it.
     */
    public VolumeProcess detachVolume(VolumeProcess volume) {
        if (!volumes.remove(volume)) {
            throw new IllegalArgumentException("not a volume of this cluster: " + volume.address());
        }
        return volume;
    }

    /** Stops the index and every volume; the directory is left to its owner (usually @TempDir). */
    @Override
    public void close() {
        List<AutoCloseable> all = new ArrayList<>(otherIndexes);
        if (index != null) {
            all.add(index);
        }
        all.addAll(volumes);
        RuntimeException first = null;
        for (AutoCloseable process : all) {
            try {
                process.close();
            } catch (Exception | AssertionError e) {
                if (first == null) {
                    first = new IllegalStateException("could not stop every process of the cluster", e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
