package minikv.index;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keys that some request is changing right now. A PUT, DELETE, UNLINK or RELINK claims its key
 * for its whole run, so two never interleave on one key; the loser is told 409 at once rather
 * than queued behind a transfer of unknown length.
 */
final class KeyClaims {

    private final Set<String> claimed = ConcurrentHashMap.newKeySet();

    /** Held while the key is being changed; closing it lets the next request in. */
    final class Claim implements AutoCloseable {
        private final String key;

        private Claim(String key) {
            this.key = key;
        }

        @Override
        public void close() {
            claimed.remove(key);
        }
    }

    /** The claim on {@code key}, or null if another request holds it. */
    Claim tryClaim(Key key) {
        return claimed.add(key.text()) ? new Claim(key.text()) : null;
    }

    /**
     * The claim on {@code key}, once the request holding it lets go; null if it still holds it
     * after {@code patience}. For S3, whose writers of one key all succeed, one after another,
     * rather than all but one being told 409.
     */
    Claim claimWithin(Key key, java.time.Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        for (Claim claim = tryClaim(key); ; claim = tryClaim(key)) {
            if (claim != null || System.nanoTime() > deadline) {
                return claim;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }
}
