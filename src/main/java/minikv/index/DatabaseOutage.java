package minikv.index;

import io.undertow.server.HttpServerExchange;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import minikv.store.StoreUnavailable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answer while the index database cannot be used ({@link StoreUnavailable}): 503 with the
 * database's reason, which a client may retry, never a wrong answer. One per index, so that
 * the log says so at most once a second however many requests get it.
 */
final class DatabaseOutage {

    private static final Logger log = LoggerFactory.getLogger(DatabaseOutage.class);
    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

    void answer(HttpServerExchange exchange, StoreUnavailable e) {
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
