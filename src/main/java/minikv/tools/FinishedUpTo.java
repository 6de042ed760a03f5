package minikv.tools;

import java.util.ArrayDeque;
import minikv.cluster.KeyReport;
import minikv.store.Record;

/**
 * How far a walk over keys is finished while parallel workers finish its keys out of order: the
 * last key that is done together with every key before it in walk order, and the tally of those
 * keys alone. That is all a checkpoint may claim. A resumed walk starts after that key, and
 * does again only the keys that were finished beyond it.
 *
 * <p>A key finished ahead of an unfinished one is held until that one finishes. So that one
 * key stuck for minutes cannot make the held keys grow without bound, {@link #started} waits
 * while {@code maxHeld} keys are started and not yet counted.
 */
final class FinishedUpTo {

    /** Where a walk is: {@code key} and every key before it (LIVE keys come before UNLINKED ones) are done. */
    record Position(Record.State state, byte[] key) {}

    /** One key handed to a worker. */
    static final class Slot {
        private final Position position;
        private KeyReport.Kind kind; // null until finished; guarded by the FinishedUpTo

        private Slot(Position position) {
            this.position = position;
        }
    }

    /** What a checkpoint writes down: the position (null: nothing done yet) and the tally of the keys up to it. */
    record Saved(Position position, KeyRun.Tally tally) {}

    private final int maxHeld;
    private final ArrayDeque<Slot> started = new ArrayDeque<>(); // in walk order; guarded by this
    private final KeyRun.Tally tally; // guarded by this
    private Position position; // guarded by this
    private boolean abandoned; // guarded by this

    /** Continues from {@code saved}: the walk is done up to its position, with its tally. */
    FinishedUpTo(Saved saved, int maxHeld) {
        this.position = saved.position();
        this.tally = saved.tally().copy();
        this.maxHeld = maxHeld;
    }

    /**
     * {@code key} (in {@code state}) is handed to a worker: keys must be started in walk order.
     *
     * @throws IllegalStateException if a worker gave up on its key ({@link #abandon})
     */
    synchronized Slot started(Record.State state, byte[] key) throws InterruptedException {
        while (started.size() >= maxHeld && !abandoned) {
            wait();
        }
        if (abandoned) {
            throw new IllegalStateException("a key's work failed; the walk stops there");
        }
        Slot slot = new Slot(new Position(state, key));
        started.addLast(slot);
        return slot;
    }

    /** {@code slot}'s key is done with a report of {@code kind}. */
    synchronized void finished(Slot slot, KeyReport.Kind kind) {
        slot.kind = kind;
        boolean moved = false;
        while (!started.isEmpty() && started.peekFirst().kind != null) {
            Slot first = started.removeFirst();
            tally.add(first.kind);
            position = first.position;
            moved = true;
        }
        if (moved) {
            notifyAll();
        }
    }

    /** A worker failed on its key, which will never finish: the walk cannot go on past it. */
    synchronized void abandon() {
        abandoned = true;
        notifyAll();
    }

    synchronized Saved saved() {
        return new Saved(position, tally.copy());
    }
}
