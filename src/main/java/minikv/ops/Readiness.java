package minikv.ops;

import java.util.List;

/**
 * Whether the index can do its job, for a load balancer or orchestrator: its database is open
 * and at least as many volumes are up as a write needs replicas. The reason says which.
 */
public record Readiness(boolean ready, String reason) {

    /**
     * @param serving false once the index is shutting down (its database about to close)
     * @param writable false while the index database cannot be written (see IndexStore.isWritable)
     * @param down the volumes that are down right now
     */
    public static Readiness assess(boolean serving, boolean writable, List<String> down, int volumes, int replicas) {
        if (!serving) {
            return new Readiness(false, "not ready: the index is shutting down");
        }
        if (!writable) {
            return new Readiness(false, "not ready: the index database cannot be reached");
        }
        int up = volumes - down.size();
        String count = up + " of " + volumes + " volumes up";
        if (up < replicas) {
            return new Readiness(false, "not ready: " + count + ", " + replicas + " needed to write a value (down: "
                    + String.join(", ", down) + ")");
        }
        return new Readiness(true, "ready: " + count + ", " + replicas + " needed" + (down.isEmpty() ? ""
                : " (down: " + String.join(", ", down) + ")"));
    }
}
