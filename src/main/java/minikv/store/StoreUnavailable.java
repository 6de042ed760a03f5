package minikv.store;

/**
 * The index database cannot be used right now: unreachable, failing over, or this process's
 * hold on its records has lapsed. A change that was under way when the connection broke may or
 * may not have been made; callers read the record again before relying on either.
 */
public final class StoreUnavailable extends IllegalStateException {

    StoreUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
