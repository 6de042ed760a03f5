package minikv.ops;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The last warnings and errors, for the status page: a fixed ring, the oldest overwritten. */
public final class RecentProblems {

    /** One warning or error: when, how bad (WARN, ERROR), who said it and what. */
    public record Problem(Instant time, String level, String source, String message) {}

    private final Problem[] ring;
    private long added; // guarded by this

    public RecentProblems(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.ring = new Problem[capacity];
    }

    public synchronized void add(Problem problem) {
        ring[(int) (added % ring.length)] = problem;
        added++;
    }

    /** What the ring holds, newest first. */
    public synchronized List<Problem> newestFirst() {
        int held = (int) Math.min(added, ring.length);
        List<Problem> newest = new ArrayList<>(held);
        for (long i = added - 1; i >= added - held; i--) {
            newest.add(ring[(int) (i % ring.length)]);
        }
        return newest;
    }

    /** Every problem ever added, including those overwritten since. */
    public synchronized long total() {
        return added;
    }
}
