package minikv.cluster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import minikv.http.OutcomeUnknown;
import minikv.placement.Placement;
import minikv.store.IndexStore;
import minikv.store.Record;

/**
 * Moves one key's replicas to where placement now puts them. {@code rebalance} runs it against
 * the database with the index stopped; the running index runs it for {@code REBALANCE /key},
 * holding the key's claim.
 *
 * <p>Order, so that no step loses the value and every crash is finished by running again:
 * <ol>
 *   <li>Copy to each new location from a current one, streamed through the tool (volumes do
 *       not copy to each other) and checked against the record's md5 as it streams, so a bad
 *       source writes nothing and the next one is tried. Kept locations are checked present.</li>
 *   <li>Only when every target location has its copy: with the index stopped, record the
 *       target plus the old locations (crash: the next run sees the old ones still listed and
 *       removes them), delete the old copies, record the target. With the index serving, it
 *       may redirect a read to any listed location, so the target is recorded before the old
 *       copies go; a crash between the two leaves old copies that nothing lists, which
 *       {@code verify --repair} removes as strays.</li>
 * </ol>
 * If a copy cannot be made, the copies this run made are removed and the record is left as it was.
 * A copy that got its whole body but no answer has an unknown outcome: it is reported, and
 * neither tried from another source nor deleted (a DELETE could overtake it on the volume).
 * A source on a dead volume is skipped for another; once all target copies exist, a copy on a
 * dead volume that is no longer in the list is forgotten (it cannot be deleted).
 */
public final class KeyMover {

    private final IndexStore store;
    private final VolumeClient client;
    private final Placement placement;
    private final boolean serving;

    /** @param serving true inside the running index: reads may be redirected to any listed location meanwhile */
    public KeyMover(IndexStore store, VolumeClient client, Placement placement, boolean serving) {
        this.store = store;
        this.client = client;
        this.placement = placement;
        this.serving = serving;
    }

    private static KeyReport changedMeanwhile(List<String> made) {
        return KeyReport.failed("another index process changed the key meanwhile" + (made.isEmpty() ? ""
                : "; the copies made at " + String.join(", ", made) + " are strays for verify --repair"));
    }

    /** How many replicas placement gives each key. */
    int replicas() {
        return placement.replicas();
    }

    public KeyReport rebalance(byte[] key, boolean dryRun) {
        Record record = store.get(key);
        if (record == null) {
            return new KeyReport(KeyReport.Kind.ABSENT, "");
        }
        if (record.unsettled()) {
            return KeyReport.failed("its record is " + record.state() + (record.next() != null ? " with a replace" : "")
                    + " (an unfinished write or delete): verify --repair settles it");
        }
        MovePlan plan = MovePlan.of(record.locations(), placement.locations(key));
        if (plan.balanced()) {
            return KeyReport.ok("");
        }
        if (dryRun) {
            return new KeyReport(KeyReport.Kind.PLANNED, plan.describe());
        }
        boolean unlinked = record.state() == Record.State.UNLINKED;
        byte[] md5 = record.md5Hex() == null ? null : HexFormat.of().parseHex(record.md5Hex());
        List<String> confirmed = new ArrayList<>();
        List<String> made = new ArrayList<>();
        for (String location : plan.target()) {
            String missing = null;
            if (!plan.adds().contains(location)) {
                missing = confirmPresent(key, location, unlinked);
                if (missing == null) {
                    confirmed.add(location);
                    continue;
                }
            }
            String failure = copy(key, plan.current(), location, unlinked, md5);
            if (failure != null) {
                undo(key, made, unlinked);
                return KeyReport.failed(missing == null ? failure : missing + "; " + failure);
            }
            made.add(location);
            confirmed.add(location);
        }
        List<String> deletes = plan.safeDeletes(confirmed);
        List<String> forgotten = new ArrayList<>();
        List<String> left;
        // Each record change is from the record read: if another index process changed the key
        // meanwhile, the copies made here are left for verify --repair and nothing is deleted.
        if (serving) {
            if (!store.compareAndSet(key, record, record.withLocations(plan.target()))) {
                return changedMeanwhile(made);
            }
            left = deleteOld(key, deletes, unlinked, forgotten);
        } else {
            Record union = record.withLocations(plan.union());
            if (!store.compareAndSet(key, record, union)) {
                return changedMeanwhile(made);
            }
            left = deleteOld(key, deletes, unlinked, forgotten);
            List<String> remaining = new ArrayList<>(plan.target());
            remaining.addAll(left);
            if (!store.compareAndSet(key, union, record.withLocations(remaining))) {
                return changedMeanwhile(List.of());
            }
        }
        if (!left.isEmpty()) {
            return KeyReport.failed("copied to " + String.join(", ", made) + " but could not delete the old copies at "
                    + String.join(", ", left) + (serving ? " (verify --repair removes them)" : " (run rebalance again)"));
        }
        return new KeyReport(KeyReport.Kind.MOVED, plan.describe() + (forgotten.isEmpty() ? ""
                : " (" + String.join(", ", forgotten) + " unreachable and no longer a volume: its copy is forgotten)"));
    }

    /** Null if the key's replica at a kept location is there, else why not. */
    private String confirmPresent(byte[] key, String location, boolean unlinked) {
        try {
            return client.size(ReplicaName.url(location, key, unlinked)) >= 0 ? null : location + " was missing";
        } catch (IOException e) {
            return location + " unreadable: " + e.getMessage();
        }
    }

    /** Copies to {@code target} from the first current location that has a good copy; null when done. */
    private String copy(byte[] key, List<String> sources, String target, boolean unlinked, byte[] md5) {
        String to = ReplicaName.url(target, key, unlinked);
        List<String> tried = new ArrayList<>();
        for (String source : sources) {
            if (source.equals(target)) {
                continue;
            }
            String from = ReplicaName.url(source, key, unlinked);
            try {
                VolumeClient.Content copied = client.copy(from, to, md5);
                if (copied == null) {
                    tried.add(source + " missing");
                } else if (md5 != null && !copied.hasMd5(md5)) {
                    tried.add(source + " has md5 " + copied.md5Hex());
                } else {
                    return null;
                }
            } catch (OutcomeUnknown e) {
                // Another source would race it to the same file; run again once the volume answers.
                return e.getMessage() + "; run again once the volume answers";
            } catch (IOException e) {
                tried.add(e.getMessage());
            }
        }
        return "no good copy for " + target + ": " + String.join("; ", tried);
    }

    private void undo(byte[] key, List<String> made, boolean unlinked) {
        for (String location : made) {
            try {
                client.delete(ReplicaName.url(location, key, unlinked));
            } catch (IOException e) {
                // A copy nothing lists: verify --repair removes it; the next rebalance overwrites it.
            }
        }
    }

    /**
     * Deletes the old copies; returns the locations where that failed. A copy on a volume that
     * is no longer one of the cluster's and cannot be reached (a dead volume taken out of the
     * list) is forgotten instead: every target copy was confirmed first, and nothing will read
     * that volume again.
     */
    private List<String> deleteOld(byte[] key, List<String> deletes, boolean unlinked, List<String> forgotten) {
        List<String> left = new ArrayList<>();
        for (String location : deletes) {
            try {
                client.delete(ReplicaName.url(location, key, unlinked));
            } catch (VolumeClient.Refused e) {
                left.add(location);
            } catch (IOException e) {
                if (placement.volumes().contains(Placement.volumeOf(location))) {
                    left.add(location);
                } else {
                    forgotten.add(location);
                }
            }
        }
        return left;
    }
}
