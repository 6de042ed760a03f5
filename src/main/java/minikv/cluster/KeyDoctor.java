package minikv.cluster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import minikv.store.IndexStore;
import minikv.store.Record;

/**
 * Checks and repairs the replicas of one key. {@code verify} runs it against the database with
 * the index stopped; the running index runs it for {@code verify --index} (VERIFY and REPAIR on
 * the key), holding the key's claim so that no write of the key interleaves.
 *
 * <p>A replica is good when it exists under the name its record's state calls for and its md5
 * is the record's (with {@code fast}: when its size is the one most replicas have). A record
 * without md5 (written with --no-md5 or rebuilt from replicas that disagreed) trusts the md5
 * most of its replicas have; with no majority nothing is good and nothing is overwritten.
 */
public final class KeyDoctor {

    private static final String MISSING = "missing";

    private final IndexStore store;
    private final VolumeClient client;
    private final VolumeFanOut fanOut;
    private final KeyMover mover;
    private final UnfinishedChanges unfinished;

    /** @param mover adds the replicas a key lacks (a rebuild records only the replicas it found) */
    public KeyDoctor(IndexStore store, VolumeClient client, KeyMover mover) {
        this.store = store;
        this.client = client;
        this.fanOut = new VolumeFanOut(client);
        this.mover = mover;
        this.unfinished = new UnfinishedChanges(store, client);
    }

    /** One replica as checked; {@code problem} is null for a good one. */
    record Check(String location, long size, byte[] md5, String problem) {
        boolean good() {
            return problem == null;
        }
    }

    /** Checks every replica of {@code key}, reading nothing but sizes if {@code fast}. Changes nothing. */
    public KeyReport verify(byte[] key, boolean fast) {
        return verify(key, store.get(key), fast);
    }

    /** As {@link #verify(byte[], boolean)}, with the key's current record (null: it has none) read by the caller. */
    public KeyReport verify(byte[] key, Record record, boolean fast) {
        if (record == null) {
            return new KeyReport(KeyReport.Kind.ABSENT, "");
        }
        if (record.unsettled()) {
            return new KeyReport(KeyReport.Kind.DAMAGED, record.state() + ": an unfinished " + UnfinishedChanges.describe(record));
        }
        List<Check> checks = check(key, record, fast);
        List<String> problems = new ArrayList<>();
        if (!checks.stream().allMatch(Check::good)) {
            problems.add(describe(checks));
        }
        String few = fewerReplicas(record);
        if (few != null) {
            problems.add(few);
        }
        return problems.isEmpty() ? KeyReport.ok("") : new KeyReport(KeyReport.Kind.DAMAGED, String.join("; ", problems));
    }

    /**
     * Why a record lists fewer replicas than placement asks for, or null. A rebuild after a
     * volume was lost records the replicas that are left: every one of them may be good, and
     * the key is still one failure away from loss.
     */
    private String fewerReplicas(Record record) {
        int replicas = mover.replicas();
        return record.locations().size() < replicas
                ? "only " + record.locations().size() + " of " + replicas + " replicas (repair or rebalance adds the others)" : null;
    }

    /**
     * Makes the key whole: an unfinished write is rolled back and an unfinished delete finished;
     * otherwise each replica that is missing, unreadable or wrong is replaced by a copy of a good
     * one (checked against the md5 as it streams, so a bad source writes nothing). Replicas under
     * the other name (a crash during UNLINK or RELINK) are renamed first. A key with fewer
     * replicas than placement asks for is then given the others, where placement puts them.
     */
    public KeyReport repair(byte[] key, boolean fast) {
        Record record = store.get(key);
        if (record == null) {
            return new KeyReport(KeyReport.Kind.ABSENT, "");
        }
        if (record.unsettled()) {
            return unfinished.settle(key, record);
        }
        KeyReport mended = mend(key, record, fast);
        if (mended.kind().problem() || fewerReplicas(record) == null) {
            return mended;
        }
        KeyReport added = mover.rebalance(key, false);
        String before = mended.kind() == KeyReport.Kind.REPAIRED ? mended.detail() + "; " : "";
        return added.kind().problem() ? KeyReport.failed(before + "could not add the missing replicas: " + added.detail())
                : new KeyReport(KeyReport.Kind.REPAIRED, before + "added the missing replicas: " + added.detail());
    }

    private KeyReport mend(byte[] key, Record record, boolean fast) {
        List<Check> checks = check(key, record, fast);
        List<String> renamed = renameStrayNames(key, record, checks);
        if (!renamed.isEmpty()) {
            checks = check(key, record, fast);
        }
        List<Check> bad = checks.stream().filter(c -> !c.good()).toList();
        if (bad.isEmpty()) {
            return renamed.isEmpty() ? KeyReport.ok("") : new KeyReport(KeyReport.Kind.REPAIRED, "renamed at " + String.join(", ", renamed));
        }
        List<String> sources = checks.stream().filter(Check::good).map(Check::location).toList();
        if (sources.isEmpty()) {
            return KeyReport.failed("no good replica to copy from: " + describe(checks));
        }
        byte[] want = wantedMd5(record, checks);
        boolean unlinked = record.state() == Record.State.UNLINKED;
        List<String> done = new ArrayList<>();
        for (Check damaged : bad) {
            String failure = copyFromAny(key, sources, damaged.location(), unlinked, want);
            if (failure != null) {
                return KeyReport.failed((done.isEmpty() ? "" : "copied to " + String.join(", ", done) + " but ") + failure);
            }
            done.add(damaged.location() + " (was " + damaged.problem() + ")");
        }
        return new KeyReport(KeyReport.Kind.REPAIRED, "copied to " + String.join(", ", done));
    }

    /**
     * Deletes the key's files at {@code found} locations that its record does not account for
     * (all of them when there is no record), but only when the key is whole: a file nothing
     * points to may still be the last good copy of a damaged key.
     *
     * @param found where a crawl saw files of the key
     */
    public KeyReport removeStrays(byte[] key, List<ReplicaFile> found, boolean fast) {
        Record record = store.get(key);
        List<ReplicaFile> strays = KeyFiles.strays(record, found);
        if (strays.isEmpty()) {
            return KeyReport.ok("");
        }
        if (record != null) {
            if (record.unsettled()) {
                return KeyReport.failed("not removing files of a key whose record is " + record.state());
            }
            List<Check> checks = check(key, record, fast);
            if (!checks.stream().allMatch(Check::good)) {
                return KeyReport.failed("not removing its stray files while it is damaged: " + describe(checks));
            }
        }
        // With no record, the key is first recorded DELETING where its strays are: a PUT of it
        // meanwhile (by another index process) gets 409 rather than losing its new files, and
        // if this stops half-way the index finishes the delete.
        Record deleting = record != null ? null
                : Record.pending(strays.stream().map(ReplicaFile::location).distinct().toList()).withState(Record.State.DELETING);
        if (deleting != null && !store.compareAndSet(key, null, deleting)) {
            return KeyReport.failed("not removing its stray files: the key was written meanwhile");
        }
        List<String> removed = new ArrayList<>();
        for (ReplicaFile stray : strays) {
            String url = ReplicaName.url(stray.location(), key, stray.unlinked());
            try {
                if (client.delete(url)) {
                    removed.add(stray.location() + (stray.unlinked() ? " (unlinked name)" : ""));
                }
            } catch (IOException e) {
                return KeyReport.failed("cannot delete " + url + ": " + e.getMessage());
            }
        }
        if (deleting != null) {
            store.compareAndSetUnsynced(key, deleting, null);
        }
        return removed.isEmpty() ? KeyReport.ok("")
                : new KeyReport(KeyReport.Kind.REPAIRED, "removed stray files at " + String.join(", ", removed));
    }

    /** Asks every replica's volume at once (see {@link VolumeFanOut}), then judges the answers. */
    private List<Check> check(byte[] key, Record record, boolean fast) {
        boolean unlinked = record.state() == Record.State.UNLINKED;
        List<String> locations = record.locations();
        List<String> urls = locations.stream().map(location -> ReplicaName.url(location, key, unlinked)).toList();
        List<Check> raw = new ArrayList<>(urls.size());
        if (fast) {
            List<VolumeFanOut.Sized> sizes = fanOut.sizes(urls);
            for (int i = 0; i < urls.size(); i++) {
                VolumeFanOut.Sized sized = sizes.get(i);
                raw.add(sized.failure() != null ? unreadable(locations.get(i), sized.failure())
                        : new Check(locations.get(i), sized.size(), null, sized.size() < 0 ? MISSING : null));
            }
            return judgeSizes(raw);
        }
        List<VolumeFanOut.Read> reads = fanOut.reads(urls);
        for (int i = 0; i < urls.size(); i++) {
            VolumeFanOut.Read read = reads.get(i);
            VolumeClient.Content content = read.content();
            raw.add(read.failure() != null ? unreadable(locations.get(i), read.failure())
                    : content == null ? new Check(locations.get(i), -1, null, MISSING)
                    : new Check(locations.get(i), content.size(), content.md5(), null));
        }
        return judgeMd5s(record, raw);
    }

    private static Check unreadable(String location, IOException e) {
        return new Check(location, -1, null, "unreadable (" + e.getMessage() + ")");
    }

    /** Full check: each replica read against the record's md5 (or the majority's, if it has none). */
    private static List<Check> judgeMd5s(Record record, List<Check> raw) {
        byte[] want = wantedMd5(record, raw);
        List<Check> judged = new ArrayList<>();
        for (Check c : raw) {
            if (!c.good()) {
                judged.add(c);
            } else if (want == null) {
                judged.add(new Check(c.location(), c.size(), c.md5(), "md5 " + hex(c.md5()) + ", replicas disagree and the record has no md5"));
            } else if (!Arrays.equals(c.md5(), want)) {
                judged.add(new Check(c.location(), c.size(), c.md5(), "md5 " + hex(c.md5()) + ", want " + hex(want)));
            } else {
                judged.add(c);
            }
        }
        return judged;
    }

    /** Fast check: each replica's size against the size most replicas have. */
    private static List<Check> judgeSizes(List<Check> raw) {
        Long want = Majority.of(raw.stream().map(c -> c.good() ? c.size() : null).toList());
        List<Check> judged = new ArrayList<>();
        for (Check c : raw) {
            if (c.good() && (want == null || c.size() != want)) {
                judged.add(new Check(c.location(), c.size(), null,
                        want == null ? "size " + c.size() + ", replicas disagree" : "size " + c.size() + ", want " + want));
            } else {
                judged.add(c);
            }
        }
        return judged;
    }

    private static byte[] wantedMd5(Record record, List<Check> checks) {
        String md5 = record.md5Hex();
        if (md5 != null) {
            return HexFormat.of().parseHex(md5);
        }
        return Majority.ofMd5s(checks.stream().map(Check::md5).toList());
    }

    /** Copies a good replica over the one at {@code target}; null when done, else why not. */
    private String copyFromAny(byte[] key, List<String> sources, String target, boolean unlinked, byte[] want) {
        String to = ReplicaName.url(target, key, unlinked);
        String why = "no source";
        for (String source : sources) {
            String from = ReplicaName.url(source, key, unlinked);
            try {
                VolumeClient.Content copied = client.copy(from, to, want);
                if (copied == null) {
                    why = from + " vanished";
                } else if (want != null && !copied.hasMd5(want)) {
                    why = from + " read back with md5 " + copied.md5Hex() + ", want " + hex(want);
                } else {
                    return null;
                }
            } catch (IOException e) {
                why = "copy " + from + " to " + to + ": " + e.getMessage();
            }
        }
        return "cannot repair " + target + ": " + why;
    }

    /**
     * Where the replica under the state's name is missing but one under the other name is there
     * (an UNLINK or RELINK interrupted between its record and its renames), renames it.
     */
    private List<String> renameStrayNames(byte[] key, Record record, List<Check> checks) {
        boolean unlinked = record.state() == Record.State.UNLINKED;
        List<String> renamed = new ArrayList<>();
        for (Check c : checks) {
            if (!MISSING.equals(c.problem())) {
                continue;
            }
            try {
                if (client.move(ReplicaName.url(c.location(), key, !unlinked), ReplicaName.path(c.location(), key, unlinked))) {
                    renamed.add(c.location());
                }
            } catch (IOException e) {
                // Left for the check, which reports the replica as unreadable.
            }
        }
        return renamed;
    }

    static String describe(List<Check> checks) {
        List<String> parts = new ArrayList<>();
        for (Check c : checks) {
            if (!c.good()) {
                parts.add(c.location() + " " + c.problem());
            }
        }
        return String.join("; ", parts);
    }

    private static String hex(byte[] md5) {
        return HexFormat.of().formatHex(md5);
    }
}
