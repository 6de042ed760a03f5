package minikv.devcluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How a local cluster's members are laid out and started: the one definition that {@code
 * dev-cluster} (and through it scripts/up, scripts/bench and scripts/bench-tools) and the
 * integration tests' cluster share. Pure: it only builds names and command lines.
 *
 * <p>Under one directory: {@code volume1..N/} (each volume's DIR) and {@code indexdb/}.
 */
public final class Members {

    private Members() {
    }

    /** The DIR of volume {@code n} (from 1). */
    public static Path volumeDir(Path root, int n) {
        return root.resolve("volume" + n);
    }

    public static Path indexDb(Path root) {
        return root.resolve("indexdb");
    }

    /** {@code host:port}, as the index lists a volume: loopback for a wildcard bind. */
    public static String address(String bind, int port) {
        String host = bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The jar's arguments for a volume server. */
    public static List<String> volume(String bind, int port, Path dir, List<String> extra) {
        List<String> args = new ArrayList<>(List.of("volume", "--bind", bind, Integer.toString(port), dir.toString()));
        args.addAll(extra);
        return args;
    }

    /** The jar's arguments for the index over {@code volumes} (their addresses), on {@code db}: a directory or URL. */
    public static List<String> index(String bind, int port, String db, List<String> volumes, List<String> options) {
        List<String> args = new ArrayList<>(List.of("index", "--bind", bind, "--port", Integer.toString(port),
                "--db", db));
        args.addAll(options);
        args.addAll(volumes);
        return args;
    }
}
