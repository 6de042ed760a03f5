package minikv.tools;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import minikv.cluster.Autoindex;
import minikv.cluster.ReplicaFile;
import minikv.cluster.ReplicaName;
import minikv.cluster.VolumeClient;

/**
 * Walks every volume's files through nginx's JSON listings, bucket by bucket.
 *
 * <p>A key's file is at {@code [/svXX]/aa/bb/<base64>} where {@code aa/bb} comes from md5(key)
 * alone, so it is the same on every volume: all the replicas of one key sit in the same bucket
 * directory. The crawl therefore first learns which bucket directories exist under each root
 * ({@code volume} or {@code volume/svXX}; two listing levels, at most 257 listings per root),
 * then visits the buckets one at a time, in parallel, listing that bucket on every root that has
 * it. A visitor sees every replica of every key in the bucket at once, and memory holds one
 * bucket per thread (a 65,536th of the keys), however large the volumes are.
 *
 * <p>Base64 names may hold a slash, which nginx turns into a directory ({@code /a?b} is stored
 * as {@code L2E/Yg==}): directories inside a bucket are descended, and a file's name is its
 * path below the bucket. Whether a name is a replica is decided by {@link ReplicaName#decode};
 * anything else is reported as a stranger and left alone.
 */
final class Crawler {

    static final int BUCKETS = ReplicaName.BUCKETS;
    private static final Pattern SUBVOLUME = Pattern.compile("sv[0-9A-F]{2}");
    private static final Pattern HASH_LEVEL = Pattern.compile("[0-9a-f]{2}");
    private static final int MAX_REPORTED = 20;

    /** Every file of one key found in a bucket. */
    record FoundKey(byte[] key, List<ReplicaFile> files) {}

    /**
     * One bucket across all volumes. {@code complete} is false when a listing failed, so that
     * some files of these keys may be missing from {@code keys}.
     */
    record Bucket(int number, List<FoundKey> keys, boolean complete) {}

    /** Called from several threads at once, one bucket each; prints through {@code progress}. */
    @FunctionalInterface
    interface Visitor {
        void visit(Bucket bucket, Progress progress);
    }

    /** What a crawl could not do or did not understand. */
    static final class Report {
        final AtomicLong files = new AtomicLong();
        final AtomicLong strangers = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        /** Directories a listing named that then answered 404: links (volume.conf serves none), or removed meanwhile. */
        final AtomicLong unserved = new AtomicLong();
        final ConcurrentLinkedQueue<String> examples = new ConcurrentLinkedQueue<>();

        boolean complete() {
            return failures.get() == 0;
        }

        private void failure(String what) {
            failures.incrementAndGet();
            note("failed: " + what);
        }

        private void stranger(String url) {
            strangers.incrementAndGet();
            note("not a replica, left alone: " + url);
        }

        private void note(String line) {
            if (examples.size() < MAX_REPORTED) {
                examples.add(line);
            }
        }
    }

    private final VolumeClient client;
    private final List<String> volumes;
    private final int threads;
    private final Report report = new Report();
    /** Per root ({@code volume} or {@code volume/svXX}), the bucket directories it has. */
    private final Map<String, BitSet> roots = new ConcurrentHashMap<>();

    Crawler(VolumeClient client, List<String> volumes, int threads) {
        this.client = client;
        this.volumes = volumes;
        this.threads = threads;
    }

    Report report() {
        return report;
    }

    /**
     * Lists every bucket directory that exists on any volume, then calls {@code visitor} for each
     * bucket but those in {@code skip} (done by an earlier run), from {@code threads} threads at once.
     */
    void crawl(BitSet skip, Visitor visitor) throws InterruptedException {
        try (Progress progress = Progress.start("listing bucket directories", "directories")) {
            discover(progress);
        }
        // Without every root's bucket list, a bucket's listing may lack a root: none is complete.
        boolean discovered = report.complete();
        List<String> rootNames = new ArrayList<>(roots.keySet());
        Collections.sort(rootNames);
        int total = 0;
        int skipped = 0;
        for (int b = 0; b < BUCKETS; b++) {
            if (rootsWith(rootNames, b).size() > 0) {
                total++;
                skipped += skip.get(b) ? 1 : 0;
            }
        }
        try (Progress progress = Progress.start("crawling buckets", "buckets");
             Parallel parallel = new Parallel("crawl", threads)) {
            progress.total(total);
            progress.resumed(skipped);
            for (int b = 0; b < BUCKETS; b++) {
                List<String> having = rootsWith(rootNames, b);
                if (having.isEmpty() || skip.get(b)) {
                    continue;
                }
                int bucket = b;
                parallel.submit(() -> {
                    visitor.visit(listBucket(bucket, having, discovered), progress);
                    progress.add(1);
                });
            }
            parallel.await();
        }
    }

    private List<String> rootsWith(List<String> rootNames, int bucket) {
        List<String> having = new ArrayList<>(2);
        for (String root : rootNames) {
            BitSet buckets = roots.get(root);
            synchronized (buckets) {
                if (buckets.get(bucket)) {
                    having.add(root);
                }
            }
        }
        return having;
    }

    /** Fills {@link #roots}: each root's level-one directories, then their level-two ones. */
    private void discover(Progress progress) throws InterruptedException {
        ConcurrentLinkedQueue<String> levelOne = new ConcurrentLinkedQueue<>(); // "root\0aa"
        try (Parallel parallel = new Parallel("discover", threads)) {
            for (String volume : volumes) {
                parallel.submit(() -> {
                    List<Autoindex.Entry> top = list(volume, "/", progress);
                    for (Autoindex.Entry e : top) {
                        if (e.isDirectory() && SUBVOLUME.matcher(e.name()).matches()) {
                            String root = volume + "/" + e.name();
                            roots.computeIfAbsent(root, r -> new BitSet(BUCKETS));
                            for (Autoindex.Entry aa : list(volume, "/" + e.name() + "/", progress)) {
                                levelOneEntry(root, aa, levelOne);
                            }
                        } else {
                            levelOneEntry(volume, e, levelOne);
                        }
                    }
                });
            }
            parallel.await();
            for (String rootAndAa : levelOne) {
                parallel.submit(() -> {
                    int split = rootAndAa.indexOf('\0');
                    String root = rootAndAa.substring(0, split);
                    String aa = rootAndAa.substring(split + 1);
                    BitSet buckets = roots.get(root);
                    for (Autoindex.Entry bb : list(volumeOf(root), dirOf(root) + aa + "/", progress)) {
                        if (bb.isDirectory() && HASH_LEVEL.matcher(bb.name()).matches()) {
                            synchronized (buckets) {
                                buckets.set(Integer.parseInt(aa + bb.name(), 16));
                            }
                        } else {
                            report.stranger(url(root, aa + "/" + bb.name()));
                        }
                    }
                });
            }
            parallel.await();
        }
    }

    private void levelOneEntry(String root, Autoindex.Entry entry, ConcurrentLinkedQueue<String> levelOne) {
        if (entry.isDirectory() && HASH_LEVEL.matcher(entry.name()).matches()) {
            roots.computeIfAbsent(root, r -> new BitSet(BUCKETS));
            levelOne.add(root + "\0" + entry.name());
        } else {
            report.stranger(url(root, entry.name()));
        }
    }

    /** Lists one bucket on each root that has it and groups the replicas by key. */
    private Bucket listBucket(int bucket, List<String> having, boolean discovered) {
        Map<String, FoundKey> keys = new LinkedHashMap<>();
        boolean complete = discovered;
        String bucketDir = ReplicaName.bucketDir(bucket) + "/";
        for (String root : having) {
            complete &= listTree(bucket, root, dirOf(root) + bucketDir, "", keys);
        }
        return new Bucket(bucket, new ArrayList<>(keys.values()), complete);
    }

    private boolean listTree(int bucket, String root, String dir, String prefix, Map<String, FoundKey> keys) {
        List<Autoindex.Entry> entries;
        try {
            entries = client.list(volumeOf(root), dir + prefix);
        } catch (IOException e) {
            report.failure("listing http://" + volumeOf(root) + dir + prefix + ": " + e.getMessage());
            return false;
        }
        if (entries == null) {
            report.unserved.incrementAndGet(); // a link, or gone since it was seen: nothing of it is a replica
            return true;
        }
        boolean complete = true;
        for (Autoindex.Entry e : entries) {
            String relative = prefix + e.name();
            if (e.isDirectory()) {
                complete &= listTree(bucket, root, dir, relative + "/", keys);
                continue;
            }
            ReplicaName.Decoded name = e.isFile() ? ReplicaName.decode(bucket, relative) : null;
            if (name == null) {
                report.stranger("http://" + volumeOf(root) + dir + relative);
                continue;
            }
            report.files.incrementAndGet();
            keys.computeIfAbsent(name.base64(), k -> new FoundKey(name.key(), new ArrayList<>(2)))
                    .files().add(new ReplicaFile(root, name.unlinked(), e.size()));
        }
        return complete;
    }

    /** A listing, or empty (and a failure noted) if it could not be had. */
    private List<Autoindex.Entry> list(String volume, String dir, Progress progress) {
        try {
            List<Autoindex.Entry> entries = client.list(volume, dir);
            progress.add(1);
            if (entries == null) {
                report.unserved.incrementAndGet();
                return List.of();
            }
            return entries;
        } catch (IOException e) {
            report.failure("listing http://" + volume + dir + ": " + e.getMessage());
            return List.of();
        }
    }

    private static String volumeOf(String root) {
        int slash = root.indexOf('/');
        return slash < 0 ? root : root.substring(0, slash);
    }

    /** "/" for a volume root, "/svXX/" for a subvolume. */
    private static String dirOf(String root) {
        int slash = root.indexOf('/');
        return slash < 0 ? "/" : root.substring(slash) + "/";
    }

    private static String url(String root, String relative) {
        return "http://" + volumeOf(root) + dirOf(root) + relative;
    }
}
