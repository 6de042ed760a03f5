package minikv.index;

import io.undertow.server.HttpServerExchange;
import minikv.store.StoreUnavailable;

/** Answers a {@link StoreUnavailable} from the handler after it as a {@link DatabaseOutage}: 503. */
final class StoreOutages implements KeyedHandler {

    private final KeyedHandler next;
    private final DatabaseOutage outage;

    StoreOutages(KeyedHandler next, DatabaseOutage outage) {
        this.next = next;
        this.outage = outage;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange, Key key) throws Exception {
        try {
            next.handleRequest(exchange, key);
        } catch (StoreUnavailable e) {
            outage.answer(exchange, e);
        }
    }
}
