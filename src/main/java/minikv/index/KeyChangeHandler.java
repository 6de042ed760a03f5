package minikv.index;

import io.undertow.server.HttpServerExchange;
import minikv.store.StoreUnavailable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A request that changes one key (PUT, DELETE, UNLINK, RELINK): it runs under the key's claim,
 * so two never interleave on one key (409 for the second), and it answers only after the claim
 * is released, so that a client's next request on the key never finds it still claimed.
 */
abstract class KeyChangeHandler implements KeyedHandler {

    private static final Logger log = LoggerFactory.getLogger(KeyChangeHandler.class);

    private final KeyClaims claims;

    KeyChangeHandler(KeyClaims claims) {
        this.claims = claims;
    }

    /** Makes the change; returns the success status. The key is claimed meanwhile. */
    abstract int change(HttpServerExchange exchange, Key key) throws HttpFailure;

    @Override
    public final void handleRequest(HttpServerExchange exchange, Key key) {
        int status;
        try {
            try (KeyClaims.Claim claim = claims.tryClaim(key)) {
                if (claim == null) {
                    throw new HttpFailure(409, key + " is being written or deleted by another request");
                }
                status = change(exchange, key);
            }
        } catch (HttpFailure failure) {
            Responses.failure(exchange, failure);
            return;
        } catch (StoreUnavailable e) {
            throw e; // 503, from StoreOutages
        } catch (RuntimeException e) {
            log.error("{} {} failed", exchange.getRequestMethod(), key, e);
            Responses.failure(exchange, new HttpFailure(500, "index error: " + e));
            return;
        }
        Responses.empty(exchange, status);
    }
}
