package minikv.volume;

import java.time.Duration;

/** Delays between restarts of a crashing nginx: doubling from a first delay up to a cap. */
final class Backoff {

    private final Duration first;
    private final Duration max;
    private Duration next;

    Backoff(Duration first, Duration max) {
        this.first = first;
        this.max = max;
        this.next = first;
    }

    Duration next() {
        Duration current = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(max) > 0 ? max : doubled;
        return current;
    }

    /** After nginx has run well for a while, the next crash is retried quickly again. */
    void reset() {
        next = first;
    }
}
