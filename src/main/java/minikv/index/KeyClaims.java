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
}
