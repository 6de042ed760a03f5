package minikv.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Which copies rebalancing one key makes and which it removes. Pure.
 *
 * @param current where the record says the replicas are
 * @param target  where placement puts them now, in placement order
 * @param adds    target locations without a replica yet: copied to first
 * @param deletes current locations placement no longer names: removed last
 */
record MovePlan(List<String> current, List<String> target, List<String> adds, List<String> deletes) {

    static MovePlan of(List<String> current, List<String> target) {
        List<String> adds = new ArrayList<>(target);
        adds.removeAll(current);
        List<String> deletes = new ArrayList<>(current);
        deletes.removeAll(target);
        return new MovePlan(List.copyOf(current), List.copyOf(target), List.copyOf(adds), List.copyOf(deletes));
    }

    /** Nothing to copy, nothing to delete, and the record already lists the target in order. */
    boolean balanced() {
        return current.equals(target);
    }

    /**
     * The locations a record lists while copies exist in both places: the target first, then
     * the old ones still to be removed. A crash leaves this record; a new run removes the rest.
     */
    List<String> union() {
        List<String> all = new ArrayList<>(target);
        all.addAll(deletes);
        return all;
    }

    /**
     * The old copies that may be removed, given the target locations whose copy is known good
     * (copied and checked just now, or found present): none unless every target location is.
     * So the last good copy is never removed, nor a copy before its replacement exists.
     */
    List<String> safeDeletes(Collection<String> confirmed) {
        return confirmed.containsAll(target) ? deletes : List.of();
    }

    /** "copy to a, b; delete c" for people. */
    String describe() {
        List<String> parts = new ArrayList<>();
        if (!adds.isEmpty()) {
            parts.add("copy to " + String.join(", ", adds));
        }
        if (!deletes.isEmpty()) {
            parts.add("delete from " + String.join(", ", deletes));
        }
        if (parts.isEmpty()) {
            parts.add("reorder locations");
        }
        return String.join("; ", parts);
    }
}
