package minikv.tools;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import minikv.cluster.KeyDoctor;
import minikv.cluster.KeyFiles;
import minikv.cluster.KeyMover;
import minikv.cluster.KeyReport;
import minikv.cluster.ReplicaFile;
import minikv.cluster.VolumeClient;
import minikv.placement.Placement;
import minikv.store.IndexStore;
import minikv.store.KeyCounts;
import minikv.store.Record;

/**
 * The index's database, opened by the tool while the index is stopped (Xodus lets one process
 * at a time have it). Nothing else changes keys meanwhile, so the tool's per-key work needs no claim.
 */
final class DatabaseTarget implements Target {

    private static final int PAGE = 1000;
    private static final byte[] NO_PREFIX = new byte[0];

    private final IndexStore store;
    private final KeyDoctor doctor;
    private final KeyMover mover;

    DatabaseTarget(IndexStore store, VolumeClient client, Placement placement) {
        this.store = store;
        this.mover = new KeyMover(store, client, placement, false);
        this.doctor = new KeyDoctor(store, client, mover);
    }

    /**
     * A page per read-only transaction: one snapshot held for a walk of billions of keys would
     * keep Xodus from reclaiming its log for the whole walk. Each key comes with its record, so
     * that a check need not read it again (that second read was 8% of {@code verify --fast}'s CPU).
     */
    @Override
    public void keys(Record.State state, byte[] after, KeyVisitor visitor) throws InterruptedException {
        byte[] start = after == null ? NO_PREFIX : Arrays.copyOf(after, after.length + 1); // the smallest key after it
        while (true) {
            List<IndexStore.Entry> page = new ArrayList<>(PAGE);
            try (IndexStore.Snapshot snapshot = store.snapshot()) {
                snapshot.scanRecords(NO_PREFIX, start, state, (key, record) -> {
                    page.add(new IndexStore.Entry(key, record));
                    return page.size() < PAGE;
                });
            }
            for (IndexStore.Entry entry : page) {
                visitor.visit(entry.key(), entry.record());
            }
            if (page.size() < PAGE) {
                return;
            }
            byte[] last = page.get(page.size() - 1).key();
            start = Arrays.copyOf(last, last.length + 1); // the smallest key after it
        }
    }

    /** From the counts the store keeps: a walk of every key would double the reads of the walk itself. */
    @Override
    public long count() {
        KeyCounts counts = store.keyCounts();
        return counts.of(Record.State.LIVE) + counts.of(Record.State.UNLINKED) + counts.of(Record.State.RENAMING);
    }

    @Override
    public KeyReport rebalance(byte[] key, boolean dryRun) {
        return mover.rebalance(key, dryRun);
    }

    @Override
    public KeyReport verify(byte[] key, Record walked, boolean fast) {
        // Nothing else changes records while the tool has the store, so the walk's is current.
        return walked != null ? doctor.verify(key, walked, fast) : doctor.verify(key, fast);
    }

    @Override
    public KeyReport repair(byte[] key, boolean fast) {
        return doctor.repair(key, fast);
    }

    @Override
    public Strays strays(byte[] key, List<ReplicaFile> files) {
        return new Strays(KeyFiles.strays(store.get(key), files), true);
    }

    @Override
    public KeyReport removeStrays(byte[] key, List<ReplicaFile> files, boolean fast) {
        return doctor.removeStrays(key, files, fast);
    }

    @Override
    public List<String> locations(byte[] key) {
        Record record = store.get(key);
        return record != null && record.state() == Record.State.LIVE ? record.locations() : List.of();
    }

    @Override
    public boolean hasRecord(byte[] key) {
        return store.get(key) != null;
    }

    /** Marks the key DELETING (durably, before any replica goes), then finishes the delete as a repair does. */
    @Override
    public KeyReport erase(byte[] key) {
        Record record = store.get(key);
        if (record == null || record.state() != Record.State.LIVE) {
            return new KeyReport(KeyReport.Kind.ABSENT, "");
        }
        if (!store.compareAndSet(key, record, record.withState(Record.State.DELETING))) {
            return KeyReport.failed("changed meanwhile; left as it is");
        }
        KeyReport finished = doctor.repair(key, true);
        return finished.kind() == KeyReport.Kind.FAILED ? finished : new KeyReport(KeyReport.Kind.REPAIRED, "deleted");
    }

    @Override
    public List<byte[]> unsettled() {
        return store.unsettled().stream().map(IndexStore.Entry::key).toList();
    }

    @Override
    public Set<String> sampleVolumes() {
        Set<String> volumes = new HashSet<>();
        try (IndexStore.Snapshot snapshot = store.snapshot()) {
            List<byte[]> sample = new ArrayList<>();
            snapshot.scanKeys(NO_PREFIX, NO_PREFIX, Record.State.LIVE, key -> sample.add(key) && sample.size() < PAGE);
            for (byte[] key : sample) {
                Record record = store.get(key);
                if (record != null) {
                    record.locations().forEach(l -> volumes.add(Placement.volumeOf(l)));
                }
            }
        }
        return volumes;
    }

    @Override
    public void close() {
        store.close();
    }
}
