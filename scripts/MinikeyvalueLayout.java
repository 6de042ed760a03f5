// Writes N small keys straight onto volume directories, exactly where minikeyvalue (and minikv)
// put them, with no index and no metadata: a volume set to time `rebuild` and `verify` on.
//
//   java -cp target/minikv.jar scripts/MinikeyvalueLayout.java [--replicas R] [--subvolumes S] \
//       [--size BYTES] N host:port=DIR...
//
// Uses minikv's own Placement, so the layout is the one the index and the tools compute.
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import minikv.placement.Placement;

public class MinikeyvalueLayout {
    public static void main(String[] args) throws Exception {
        int replicas = 3, subvolumes = 10, size = 100, i = 0;
        for (; args[i].startsWith("--"); i += 2) {
            switch (args[i]) {
                case "--replicas" -> replicas = Integer.parseInt(args[i + 1]);
                case "--subvolumes" -> subvolumes = Integer.parseInt(args[i + 1]);
                case "--size" -> size = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        int keys = Integer.parseInt(args[i++]);
        Map<String, Path> dirs = new LinkedHashMap<>();
        for (; i < args.length; i++) {
            String[] volumeAndDir = args[i].split("=", 2);
            dirs.put(volumeAndDir[0], Path.of(volumeAndDir[1]));
        }
        Placement placement = new Placement(List.copyOf(dirs.keySet()), replicas, subvolumes);
        int threads = Runtime.getRuntime().availableProcessors() * 2;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> parts = new ArrayList<>();
        int valueSize = size;
        Set<Path> made = ConcurrentHashMap.newKeySet();
        for (int t = 0; t < threads; t++) {
            int first = t;
            parts.add(pool.submit(() -> {
                for (int k = first; k < keys; k += threads) {
                    byte[] key = String.format("/bench/%08d", k).getBytes(StandardCharsets.UTF_8);
                    byte[] value = new byte[valueSize];
                    for (int b = 0; b < valueSize; b++) {
                        value[b] = (byte) (k * 31 + b);
                    }
                    for (String location : placement.locations(key)) {
                        Path file = dirs.get(Placement.volumeOf(location)).resolve(Placement.replicaPath(location, key).substring(1));
                        if (made.add(file.getParent())) {
                            Files.createDirectories(file.getParent());
                        }
                        Files.write(file, value);
                    }
                }
                return null;
            }));
        }
        for (Future<?> part : parts) {
            part.get();
        }
        pool.shutdown();
        System.out.printf("wrote %,d keys x %d replicas of %d bytes%n", keys, replicas, valueSize);
    }
}
