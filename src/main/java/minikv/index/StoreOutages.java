package minikv.index;

import io.undertow.server.HttpServerExchange;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import minikv.store.StoreUnavailable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * 503 while the index database cannot be used ({@link StoreUnavailable}): a request during a
 * database failover gets an answer it may retry, never a wrong one. The log says so at most once
 * a second, not once per request.
 */
final class StoreOutages implements KeyedHandler {

    private static final Logger log = LoggerFactory.getLogger(StoreOutages.class);
    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final KeyedHandler next;
    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

    StoreOutages(KeyedHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange, Key key) throws Exception {
        try {
            next.handleRequest(exchange, key);
        } catch (StoreUnavailable e) {
            long now = System.nanoTime();
            long last = lastLogged.get();
            if (now - last >= LOG_EVERY_NANOS && lastLogged.compareAndSet(last, now)) {
                log.warn("answering 503 while the index database is unavailable: {}", e.getMessage());
            }
            if (!exchange.isResponseStarted()) {
                Responses.failure(exchange, new HttpFailure(503, e.getMessage() + "; retry shortly"));
            } else {
                exchange.endExchange();
            }
        }
    }
}
