package minikv.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import minikv.cli.Durations;
import minikv.cluster.AbandonedUploads;
import minikv.cluster.KeyDoctor;
import minikv.cluster.KeyReport;
import minikv.cluster.ReplicaFile;
import minikv.cluster.ReplicaName;
import minikv.cluster.VolumeClient;
import minikv.placement.Placement;
import minikv.store.PostgresStore;
import minikv.tools.Databases.ToolFailure;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code minikv verify [--fast] [--repair] (--db DIR | --index URL) VOLUME...}: checks every
 * replica of every key (see {@link KeyDoctor}); with {@code --repair}, also mends them, settles
 * unfinished writes and deletes, and removes files no record points to.
 *
 * <p>Removing files is the one thing here that could destroy data if the tool were pointed at
 * the wrong index or given volume names the index does not use (every file would look like a
 * stray). So before removing anything: the volumes the index's records name must all be among
 * the VOLUMEs given; the whole crawl is done first and nothing is removed if every file, or more than a tenth
 * of the files look stray (unless {@code --force}); and a stray of a damaged key is kept.
 */
@Command(name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Checks that every replica of every key exists with the right md5 (--fast: exists",
            "with the size most replicas have, by HEAD). Names each damaged key.",
            "--repair copies a good replica over missing or bad ones, rolls back unfinished",
            "writes, finishes unfinished deletes, removes files that no record points to",
            "(crawling the volumes), and removes abandoned S3 multipart uploads, and copies",
            "of S3 objects' headers whose object is gone.",
            "With --db the index must be stopped; with --index it keeps serving meanwhile.",
            "A verify stopped midway (killed, a listing failed) resumes after the last key it",
            "finished when run again with the same arguments; --repair starts from the first key.",
            "Exit status: 0 all good (or all repaired); 1 some key is damaged or could not be",
            "repaired."})
public final class VerifyCommand implements Callable<Integer> {

    /** The most stray candidates held for removal after the crawl. */
    private static final int MAX_CANDIDATES = 1_000_000;

    @Mixin
    ClusterOptions cluster;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target.Where where;

    @Option(names = "--fast", description = "check existence and size only (HEAD), don't read the values")
    boolean fast;

    @Option(names = "--repair", description = "mend what is damaged and remove files no record points to")
    boolean repair;

    @Option(names = "--s3-upload-max-age", paramLabel = "DURATION", defaultValue = "7d", converter = Durations.class,
            description = "with --repair: remove S3 multipart uploads begun longer ago than this, parts and all, as the"
                    + " index does (default: ${DEFAULT-VALUE}); parts whose upload is gone are removed whatever their age")
    Duration s3UploadMaxAge;

    @Option(names = "--force", description = "with --repair: remove stray files even if they are more than a tenth of all files,"
            + " or all of them")
    boolean force;

    @Override
    public Integer call() throws InterruptedException {
        Placement placement = cluster.placement();
        Tools.quietLibraryLogs();
        VolumeClient client = cluster.client();
        try (Target target = Target.open(where, client, placement)) {
            boolean problems = unsettled(target);
            List<byte[]> uploadKeys = Collections.synchronizedList(new ArrayList<>());
            List<byte[]> copyKeys = Collections.synchronizedList(new ArrayList<>());
            WalkCheckpoint checkpoint = repair ? WalkCheckpoint.none() : WalkCheckpoint.open("verify", settings());
            if (checkpoint.resuming()) {
                KeyRun.Tally before = checkpoint.before().tally();
                System.out.printf("verify: resuming the verify stopped at %s: %,d keys were checked then (%s; the run then"
                        + " named each that is not ok); remove %s to start over%n", checkpoint.savedAt().truncatedTo(ChronoUnit.SECONDS), before.total(),
                        before.summary(), checkpoint.file());
            }
            KeyRun.Tally tally = KeyRun.overKeys(repair ? "repair" : "verify", target, cluster.parallel, checkpoint, (key, record) -> {
                if (repair && AbandonedUploads.isUploadKey(key) && uploadKeys.size() < MAX_CANDIDATES) {
                    uploadKeys.add(key);
                }
                if (repair && OrphanHeaderCopies.isCopyKey(key) && copyKeys.size() < MAX_CANDIDATES) {
                    copyKeys.add(key);
                }
                return repair ? target.repair(key, fast) : target.verify(key, record, fast);
            });
            System.out.println((repair ? "repair: " : "verify: ") + tally.summary());
            problems |= tally.problems();
            if (repair) {
                problems |= sweep(target, client);
                problems |= abandonedUploads(target, client, uploadKeys);
                problems |= OrphanHeaderCopies.remove(target, client, copyKeys);
            }
            if (problems) {
                System.out.println(repair ? "verify: NOT DONE: some keys could not be repaired (named above)"
                        : "verify: DAMAGED keys found (named above); verify --repair mends what can be mended");
                return 1;
            }
            System.out.println("verify: all good");
            return 0;
        } catch (ToolFailure | IOException e) {
            System.err.println("verify: " + e.getMessage());
            return 1;
        }
    }

    /**
     * What a key's verdict depends on: a checkpoint left by a verify with other arguments is not
     * resumed. A repair always starts from the first key, as its removal of abandoned uploads
     * needs every upload key seen in this run.
     */
    private String settings() {
        String of = where.db != null ? "--db " + (PostgresStore.names(where.db) ? where.db : Path.of(where.db).toAbsolutePath().normalize())
                : "--index " + where.index;
        return of + (fast ? " --fast" : "") + " --replicas " + cluster.replicas + " --subvolumes " + cluster.subvolumes
                + " " + String.join(" ", cluster.volumes);
    }

    /**
     * Names the unfinished writes and deletes (with the index stopped; a running index settles
     * its own) and, with --repair, rolls them back or finishes them. True if some remain.
     */
    private boolean unsettled(Target target) {
        boolean problems = false;
        for (byte[] key : target.unsettled()) {
            KeyReport report = repair ? target.repair(key, fast) : target.verify(key, null, fast);
            System.out.println(KeyRun.label(report.kind()) + " " + new String(key, StandardCharsets.UTF_8) + ": " + report.detail());
            problems |= report.kind().problem();
        }
        return problems;
    }

    /**
     * Erases the parts of S3 multipart uploads that are gone, and uploads begun more than
     * --s3-upload-max-age ago (by their files' time) with their parts; true if some remain.
     * A part is erased only if its upload is still gone when it comes to it: the walk that
     * listed the keys may have passed an upload begun meanwhile.
     */
    private boolean abandonedUploads(Target target, VolumeClient client, List<byte[]> keys) throws IOException {
        long before = System.currentTimeMillis() - s3UploadMaxAge.toMillis();
        List<byte[]> erase = AbandonedUploads.toErase(keys, key -> begunAt(target, client, key), before);
        // A part's upload that is gone was begun at 0.
        return KeyRun.eraseEach(target, erase, key -> begunAt(target, client, AbandonedUploads.uploadOf(key)) < before,
                "removing abandoned multipart uploads", "abandoned multipart uploads", "its upload is there (again)");
    }

    /** When an upload's files were written (epoch ms), or 0 if it has none that answer. */
    private static long begunAt(Target target, VolumeClient client, byte[] upload) {
        try {
            for (String location : target.locations(upload)) {
                long modified = client.lastModified(ReplicaName.url(location, upload, false));
                if (modified > 0) {
                    return modified;
                }
            }
        } catch (IOException e) {
            // unknown: never old, and never gone
            return Long.MAX_VALUE;
        }
        return 0;
    }

    private record Candidate(byte[] key, List<ReplicaFile> files) {}

    /** Crawls the volumes and removes files no record points to; true if something was left undone. */
    private boolean sweep(Target target, VolumeClient client) throws IOException, InterruptedException {
        Set<String> named = target.sampleVolumes();
        Set<String> unknown = new HashSet<>(named);
        unknown.removeAll(cluster.volumes);
        if (!unknown.isEmpty()) {
            System.out.println("verify: NOT removing stray files: the index's records name volumes that are not among"
                    + " the VOLUMEs given: " + String.join(", ", unknown) + ". Give the volumes exactly as the index names"
                    + " them (rebalance first if volumes were removed).");
            return true;
        }
        List<Candidate> candidates = Collections.synchronizedList(new ArrayList<>());
        AtomicLong strayFiles = new AtomicLong();
        AtomicBoolean overflow = new AtomicBoolean();
        AtomicLong lookupFailures = new AtomicLong();
        Crawler crawler = new Crawler(client, cluster.volumes, cluster.parallel);
        crawler.crawl(new BitSet(), (bucket, progress) -> {
            for (Crawler.FoundKey found : bucket.keys()) {
                try {
                    Target.Strays strays = target.strays(found.key(), found.files());
                    if (strays.files().isEmpty()) {
                        continue;
                    }
                    if (strays.certain()) {
                        strayFiles.addAndGet(strays.files().size());
                    }
                    if (candidates.size() < MAX_CANDIDATES) {
                        candidates.add(new Candidate(found.key(), strays.files()));
                    } else {
                        overflow.set(true);
                    }
                } catch (IOException e) {
                    lookupFailures.incrementAndGet();
                    progress.println("failed " + new String(found.key(), StandardCharsets.UTF_8) + ": " + e.getMessage());
                }
            }
        });
        Crawler.Report report = crawler.report();
        report.examples.forEach(line -> System.out.println("verify: " + line));
        long files = report.files.get();
        System.out.printf("verify: %,d files on the volumes; %,d keys have files their record may not list (%,d files certainly stray)%n",
                files, candidates.size(), strayFiles.get());
        String tooMany = overflow.get() ? "more than " + MAX_CANDIDATES + " keys have some"
                : strayFiles.get() > 0 && strayFiles.get() == files ? "every file looks stray"
                : strayFiles.get() > Math.max(100, files / 10) ? "more than a tenth of all files look stray" : null;
        if (tooMany != null && (overflow.get() || !force)) {
            System.out.println("verify: NOT removing stray files: " + tooMany + ". Is this the right index, and are the"
                    + " VOLUMEs named as the index names them? If so, run again with --force.");
            return true;
        }
        KeyRun.Tally tally = new KeyRun.Tally();
        try (Progress progress = Progress.start("removing strays", "keys"); Parallel workers = new Parallel("sweep", cluster.parallel)) {
            progress.total(candidates.size());
            for (Candidate c : candidates) {
                workers.submit(() -> KeyRun.record(progress, tally, c.key(), target.removeStrays(c.key(), c.files(), fast)));
            }
            workers.await();
        }
        System.out.println("verify: strays: " + tally.summary());
        return tally.problems() || !report.complete() || lookupFailures.get() > 0;
    }
}
