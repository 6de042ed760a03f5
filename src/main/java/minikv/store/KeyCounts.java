package minikv.store;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How many keys the index holds in each state. Counted once when the store opens, then kept
 * current by the store's writer from each committed change, so reading it costs nothing. A
 * shared store adds what the other processes account for, counted anew now and then.
 */
public final class KeyCounts {

    private static final Record.State[] STATES = Record.State.values();

    /** From this process's commits (and the count at open). */
    private final AtomicLongArray counts = new AtomicLongArray(STATES.length);
    /** From other processes sharing the store, counted now and then. */
    private final AtomicLongArray elsewhere = new AtomicLongArray(STATES.length);

    public long of(Record.State state) {
        return counts.get(state.ordinal()) + elsewhere.get(state.ordinal());
    }

    /** Changes made by one transaction, applied only once it has committed. */
    static final class Delta {
        private final long[] change = new long[STATES.length];

        /** A key moved from {@code before} to {@code after}; either is null for no record. */
        void move(Record.State before, Record.State after) {
            if (before != null) {
                change[before.ordinal()]--;
            }
            if (after != null) {
                change[after.ordinal()]++;
            }
        }

        /** {@code n} more keys in {@code state}, as counted when a store opens. */
        void add(Record.State state, long n) {
            change[state.ordinal()] += n;
        }

        long of(Record.State state) {
            return change[state.ordinal()];
        }

        boolean isEmpty() {
            for (long c : change) {
                if (c != 0) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Sets the keys other processes sharing the store account for, as counted anew. */
    void setElsewhere(Delta others) {
        for (int i = 0; i < STATES.length; i++) {
            elsewhere.set(i, others.change[i]);
        }
    }

    void apply(Delta delta) {
        for (int i = 0; i < STATES.length; i++) {
            if (delta.change[i] != 0) {
                counts.addAndGet(i, delta.change[i]);
            }
        }
    }
}
