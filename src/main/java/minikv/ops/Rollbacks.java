package minikv.ops;

import java.util.concurrent.atomic.LongAdder;

/** PUTs that failed after their key was recorded, and whether undoing them finished. */
public final class Rollbacks {

    private final LongAdder complete = new LongAdder();
    private final LongAdder incomplete = new LongAdder();

    /** The failed PUT left no record and no replica. */
    public void completed() {
        complete.increment();
    }

    /** The failed PUT's record stays PENDING (a volume was unreachable); a later DELETE, PUT or restart finishes it. */
    public void leftPending() {
        incomplete.increment();
    }

    public long complete() {
        return complete.sum();
    }

    public long incomplete() {
        return incomplete.sum();
    }
}
