package minikv.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import minikv.placement.Placement;
import minikv.store.Record;

/**
 * Pure decisions about the files found for one key on the volumes: what state they say the key
 * is in, which file is its replica at each location, and which files no record accounts for.
 */
public final class KeyFiles {

    private KeyFiles() {
    }

    /** A key as its files describe it: its state and one replica file per location, in placement order. */
    public record Reading(Record.State state, List<ReplicaFile> replicas) {
        List<String> locations() {
            return replicas.stream().map(ReplicaFile::location).toList();
        }
    }

    /**
     * Reads the key's state from its files. Any unlinked name makes the key UNLINKED: UNLINK
     * records the new state before it renames the files and RELINK renames them before it
     * records, so a crash half-way through either leaves a mix of names for a key the index
     * holds UNLINKED. (Only when every rename of an UNLINK was lost, or every rename of a RELINK
     * done, do all the names say live while the index said unlinked; the files then say what
     * the next step would have made true.)
     *
     * @param files      every file of the key, as found (at least one)
     * @param volumeRank all volumes ranked for this key, as {@link Placement#volumesFor} ranks
     *                   them when asked for every volume
     */
    public static Reading read(List<ReplicaFile> files, List<String> volumeRank) {
        boolean unlinked = files.stream().anyMatch(ReplicaFile::unlinked);
        Map<String, ReplicaFile> byLocation = new LinkedHashMap<>();
        for (ReplicaFile f : files) {
            // Where a location holds both names, the one the state calls for is the replica.
            byLocation.merge(f.location(), f, (a, b) -> a.unlinked() == unlinked ? a : b);
        }
        List<ReplicaFile> replicas = new ArrayList<>(byLocation.values());
        replicas.sort(Comparator.comparingInt((ReplicaFile f) -> rank(volumeRank, f.location()))
                .thenComparing(ReplicaFile::location));
        return new Reading(unlinked ? Record.State.UNLINKED : Record.State.LIVE, replicas);
    }

    private static int rank(List<String> volumeRank, String location) {
        int i = volumeRank.indexOf(Placement.volumeOf(location));
        return i < 0 ? Integer.MAX_VALUE : i;
    }

    /**
     * The files of a key that nothing points to: every file when there is no record; for a LIVE
     * or UNLINKED record, each file not at one of its locations or not under the name its state
     * calls for. PENDING and DELETING records are settled as a whole (rolled back or finished),
     * not file by file, so none of their files is named here.
     */
    public static List<ReplicaFile> strays(Record record, List<ReplicaFile> files) {
        if (record == null) {
            return List.copyOf(files);
        }
        if (record.state() != Record.State.LIVE && record.state() != Record.State.UNLINKED) {
            return List.of();
        }
        boolean unlinked = record.state() == Record.State.UNLINKED;
        return files.stream()
                .filter(f -> !record.locations().contains(f.location()) || f.unlinked() != unlinked)
                .toList();
    }
}
