package minikv.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import minikv.cluster.KeyFiles;
import minikv.cluster.Majority;
import minikv.cluster.ReplicaFile;
import minikv.cluster.ReplicaName;
import minikv.cluster.VolumeClient;
import minikv.cluster.VolumeFanOut;
import minikv.placement.Placement;
import minikv.store.Details;
import minikv.store.IndexStore;
import minikv.store.PostgresStore;
import minikv.store.Record;
import minikv.tools.Databases.ToolFailure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code minikv rebuild --db NEWDB VOLUME...}: a new index from what the volumes hold, in a
 * directory or a PostgreSQL database.
 *
 * <p>Every file that is a replica (see {@link ReplicaName}) becomes part of a record: LIVE under
 * its plain name, UNLINKED under its {@code .unlinked} name, its locations where the files are,
 * in placement order, and its md5 read from the files. Replicas that disagree are settled by
 * majority; without one the key is recorded without an md5 and named, for an operator to judge
 * (verify will name it too). The index is built in {@code NEWDB.rebuilding} (for a database: a
 * temporary directory) and becomes NEWDB only when every volume was read completely: renamed,
 * or copied into the database and checked ({@link StoreCopy}). An index that misses keys must
 * never be started, because a repair against it would take their files for leftovers.
 *
 * <p>A rebuild stopped before the end (killed, or a volume that could not be read) leaves its
 * work directory with a {@link RebuildCheckpoint}: run again with the same arguments, it crawls
 * only the buckets not finished yet.
 */
@Command(name = "rebuild",
        mixinStandardHelpOptions = true,
        description = {
            "Rebuilds the index from the volumes alone (also a volume set written by",
            "minikeyvalue). Reads every replica to compute its md5 unless --no-md5, then",
            "gives S3 objects back their stored headers from the copies on the volumes.",
            "Refuses a NEWDB that is not empty. Stopped before the end (killed, a volume",
            "unreadable), it resumes where it stopped when run again with the same",
            "arguments.",
            "Exit status: 0 done; 1 not done (a volume could not be read: NEWDB not",
            "written) or done with keys to look at (replicas that disagree)."})
public final class RebuildCommand implements Callable<Integer> {

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--db", required = true, paramLabel = "NEWDB", description = "where to write the new index: a directory"
            + " (empty or absent), or a postgresql:// URL of a database without minikv keys (the index is then built in a"
            + " temporary directory under TMPDIR, copied there and checked)")
    String db;

    @Option(names = "--no-md5", description = "don't read the values: records get no md5 (like minikeyvalue's rebuild),"
            + " replica sizes are still compared; a file that is a symbolic link is then not told from a value")
    boolean noMd5;

    /** How often the checkpoint is saved: at most this much crawling is done again after a kill. */
    private static final long CHECKPOINT_SECONDS = 10;

    /** Records written by this run. */
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong attention = new AtomicLong();
    private final AtomicLong links = new AtomicLong();
    private final HeadersRestore headers = new HeadersRestore();
    /** A record committed by this run: writing it again, synced, makes every commit before it durable. */
    private final AtomicReference<IndexStore.Entry> lastWritten = new AtomicReference<>();

    @Override
    public Integer call() throws InterruptedException {
        cluster.placement();
        Tools.quietLibraryLogs();
        Placement ranking = cluster.ranking();
        try {
            return rebuild(ranking);
        } catch (ToolFailure e) {
            System.err.println("rebuild: " + e.getMessage());
            return 1;
        }
    }

    private int rebuild(Placement ranking) throws InterruptedException {
        boolean toDatabase = PostgresStore.names(db);
        Path target = toDatabase ? null : Path.of(db).toAbsolutePath().normalize();
        Path work;
        if (toDatabase) {
            Databases.openEmpty(db).close(); // refused now rather than after the crawl
            work = Tools.tempPathFor("rebuild", db); // the same for every run, so that one resumes another
        } else {
            if (!Databases.isEmptyOrMissing(target)) {
                throw new ToolFailure("refusing to write into " + target + ": it is not empty (rebuild makes a new index;"
                        + " give a new directory)");
            }
            work = target.resolveSibling(target.getFileName() + ".rebuilding");
        }
        if (Files.exists(work) && !RebuildCheckpoint.existsIn(work)) {
            System.out.println("rebuild: removing " + work + ", left by a rebuild interrupted before its first checkpoint");
            deleteTree(work);
        }
        return rebuildInto(work, ranking, toDatabase ? db : target.toString(), target);
    }

    /** Builds the index in {@code work}, then makes it {@code target} (a directory) or copies it to the database {@code db}. */
    private int rebuildInto(Path work, Placement ranking, String where, Path target) throws InterruptedException {
        VolumeClient client = cluster.client();
        Crawler crawler = new Crawler(client, cluster.volumes, cluster.parallel);
        long started = System.nanoTime();
        boolean resuming = Files.exists(work);
        long live;
        long unlinked;
        // Records are committed unsynced, by the crawl's threads: durability is needed only for
        // what a checkpoint claims, and its save makes everything before it durable first.
        try (IndexStore store = IndexStore.open(work); RebuildCheckpoint checkpoint = RebuildCheckpoint.open(work, settings())) {
            BitSet finishedBefore = checkpoint.finishedBefore();
            if (resuming) {
                System.out.printf("rebuild: resuming the rebuild stopped in %s: %,d buckets were finished%n",
                        work, finishedBefore.cardinality());
            }
            ScheduledExecutorService saver = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "rebuild-checkpoint");
                t.setDaemon(true);
                return t;
            });
            saver.scheduleWithFixedDelay(() -> checkpoint.save(() -> makeDurable(store)),
                    CHECKPOINT_SECONDS, CHECKPOINT_SECONDS, TimeUnit.SECONDS);
            try {
                crawler.crawl(finishedBefore, (bucket, progress) -> {
                    long flagged = 0;
                    for (Crawler.FoundKey found : bucket.keys()) {
                        flagged += rebuildKey(store, client, ranking, found, progress);
                    }
                    if (bucket.complete()) {
                        checkpoint.finished(bucket.number(), flagged);
                    }
                });
            } finally {
                saver.shutdownNow();
                saver.awaitTermination(1, TimeUnit.MINUTES);
            }
            checkpoint.save(() -> makeDurable(store));
            attention.addAndGet(checkpoint.attentionBefore());
            if (crawler.report().complete()) {
                try (Progress progress = Progress.start("restoring the stored headers of S3 objects", "objects")) {
                    headers.restore(store, client, cluster.parallel, progress);
                }
                checkpoint.delete(); // closing the store makes the headers durable; a kill before redoes them
            }
            live = store.keyCounts().of(Record.State.LIVE);
            unlinked = store.keyCounts().of(Record.State.UNLINKED);
        } catch (IOException e) {
            throw new ToolFailure("cannot remove the checkpoint in " + work + ": " + e.getMessage());
        }
        Crawler.Report report = crawler.report();
        report.examples.forEach(line -> System.out.println("rebuild: " + line));
        if (!report.complete()) {
            System.out.printf("rebuild: NOT DONE: %,d listings failed (first ones above); nothing was written to %s."
                    + " Bring the volumes back and run rebuild again: it resumes from %s.%n", report.failures.get(), where, work);
            return 1;
        }
        if (target == null) {
            try (IndexStore built = IndexStore.open(work)) {
                StoreCopy.copyChecked(built, where, "rebuild: copy");
            }
            deleteTree(work);
        } else {
            try {
                Files.deleteIfExists(target); // an empty directory: replaced by the new index
                Files.move(work, target);
            } catch (IOException e) {
                throw new ToolFailure("cannot rename " + work + " to " + target + ": " + e.getMessage());
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("rebuild: %,d keys (%,d live, %,d unlinked) from %,d files in %.1f s (%,.0f keys/s)%s;"
                + " %,d entries that are not replicas left alone%n",
                live + unlinked, live, unlinked, report.files.get(), seconds, written.get() / Math.max(seconds, 1e-3),
                resuming ? " (files and rate of this run, which resumed one stopped before)" : "", report.strangers.get());
        if (links.get() + report.unserved.get() > 0) {
            System.out.printf("rebuild: skipped %,d symbolic links and %,d listed directories the volumes did not serve"
                    + " (links, or removed meanwhile)%n", links.get(), report.unserved.get());
        }
        if (headers.restored.get() + headers.unmatched.get() + headers.unreadable.get() > 0) {
            System.out.printf("rebuild: stored headers of %,d S3 objects restored from their copies on the volumes;"
                    + " %,d copies matched no value%s and were left alone%n", headers.restored.get(), headers.unmatched.get(),
                    noMd5 ? " (--no-md5 cannot tell which value a copy describes)" : "");
            attention.addAndGet(headers.unreadable.get());
        }
        System.out.println("rebuild: the new index is " + where + " (start the index with --db " + where + ")");
        if (attention.get() > 0) {
            System.out.printf("rebuild: %,d keys to look at (named above)%n", attention.get());
            return 1;
        }
        return 0;
    }

    /** What the records depend on: a checkpoint left with other settings must not be resumed. */
    private String settings() {
        return "volumes=" + String.join(",", cluster.volumes) + " subvolumes=" + cluster.subvolumes + " md5=" + (noMd5 ? "no" : "yes");
    }

    /** A synced write of a record this run committed: the store makes commits durable in order. */
    private void makeDurable(IndexStore store) {
        IndexStore.Entry last = lastWritten.get();
        if (last != null) {
            store.put(last.key(), last.record());
        }
    }

    /** Makes and commits the record of one key from its files; returns how many problems it named. */
    private long rebuildKey(IndexStore store, VolumeClient client, Placement ranking, Crawler.FoundKey found, Progress progress) {
        long flagged = 0;
        byte[] key = found.key();
        KeyFiles.Reading reading = KeyFiles.read(found.files(), ranking.volumesFor(key));
        List<ReplicaFile> replicas = new ArrayList<>(reading.replicas());
        byte[] md5 = null;
        Long size = Majority.of(replicas.stream().map(ReplicaFile::size).toList());
        if (noMd5) {
            if (size == null) {
                flagged += attention(progress, key, "its replicas differ in size: " + sizes(replicas));
            }
        } else {
            List<byte[]> md5s = new ArrayList<>();
            List<ReplicaFile> listed = List.copyOf(replicas);
            List<VolumeFanOut.Read> reads = new VolumeFanOut(client).reads(
                    listed.stream().map(r -> ReplicaName.url(r.location(), key, r.unlinked())).toList());
            for (int i = 0; i < listed.size(); i++) {
                ReplicaFile replica = listed.get(i);
                VolumeFanOut.Read read = reads.get(i);
                if (read.failure() instanceof VolumeClient.Refused e && e.link()) {
                    replicas.remove(replica); // not a value: something placed a link in the volume's directory
                    links.incrementAndGet();
                    progress.println("skipped " + ReplicaName.url(replica.location(), key, replica.unlinked())
                            + ": a symbolic link");
                } else if (read.failure() != null) {
                    md5s.add(null);
                    flagged += attention(progress, key, "cannot read its replica at " + replica.location() + ": "
                            + read.failure().getMessage());
                } else if (read.content() == null) {
                    replicas.remove(replica); // deleted since it was listed
                } else {
                    md5s.add(read.content().md5());
                }
            }
            md5 = Majority.ofMd5s(md5s);
            if (md5 == null && !md5s.stream().allMatch(m -> m == null)) {
                flagged += attention(progress, key, "its replicas differ and no majority says which is right; recorded without md5");
            }
        }
        if (replicas.isEmpty()) {
            return flagged;
        }
        Record fresh = Record.live(replicas.stream().map(ReplicaFile::location).toList(), md5);
        if (size != null) {
            // The size the listings agree on: a DELETE's volumes get time in it, and an S3 listing
            // need not ask a volume for it. The time stays unknown (see S3Multipart#abortBegunBefore).
            fresh = fresh.withDetails(new Details(size, 0, Map.of()));
        }
        Record record = reading.state() == Record.State.LIVE ? fresh : fresh.withState(reading.state());
        Record before = store.get(key); // a bucket the resumed run was crawling when it stopped
        if (!store.compareAndSetUnsynced(key, before, record)) {
            throw new IllegalStateException("the new index changed under the rebuild at " + new String(key, StandardCharsets.UTF_8));
        }
        lastWritten.set(new IndexStore.Entry(key, record));
        written.incrementAndGet();
        progress.count("keys");
        return flagged;
    }

    private long attention(Progress progress, byte[] key, String why) {
        attention.incrementAndGet();
        progress.count("to look at");
        progress.println("look at " + new String(key, StandardCharsets.UTF_8) + ": " + why);
        return 1;
    }

    private static String sizes(List<ReplicaFile> replicas) {
        return String.join(", ", replicas.stream().map(f -> f.location() + " " + f.size() + " bytes").toList());
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new ToolFailure("cannot remove " + dir + ": " + e.getMessage());
        }
    }
}
