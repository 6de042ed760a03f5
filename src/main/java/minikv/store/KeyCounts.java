package minikv.store;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How many keys the index holds in each state. Read (or, the first time, counted) when the
 * store opens, then kept current by the store's writer from each committed change, so reading it
 * costs nothing. A shared store adds what the other processes account for, counted anew now and
 * then. An embedded store keeps them {@link #encodeWith encoded} beside its records, written in
 * each commit that changes them, so that opening it never needs a scan.
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

    /**
     * This process's counts once {@code delta} is applied, as stored: per state its code (one
     * byte, as in the record encoding) and its count (eight bytes).
     */
    byte[] encodeWith(Delta delta) {
        ByteBuffer out = ByteBuffer.allocate(STATES.length * 9);
        for (Record.State state : STATES) {
            out.put(state.code).putLong(counts.get(state.ordinal()) + delta.of(state));
        }
        return out.array();
    }

    /**
     * What {@link #encodeWith} wrote, as a delta from nothing.
     *
     * @throws IllegalStateException for bytes that are not counts, or name a state this version does not know
     */
    static Delta decode(byte[] bytes, int length) {
        if (length % 9 != 0) {
            throw new IllegalStateException("stored key counts of " + length + " bytes are not counts");
        }
        Delta stored = new Delta();
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
        while (in.hasRemaining()) {
            byte code = in.get();
            try {
                stored.add(Record.State.of(code), in.getLong());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("stored key counts name state " + code + ", unknown to this version", e);
            }
        }
        return stored;
    }

    void apply(Delta delta) {
        for (int i = 0; i < STATES.length; i++) {
            if (delta.change[i] != 0) {
                counts.addAndGet(i, delta.change[i]);
            }
        }
    }
}
