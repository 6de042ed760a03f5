package minikv.index;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

/** Handles a request for one key, decoded by {@link KeyHandler}. */
@FunctionalInterface
interface KeyedHandler {

    void handleRequest(HttpServerExchange exchange, Key key) throws Exception;

    /** Runs {@code handler} on a worker thread with blocking I/O, off the IO thread. */
    static KeyedHandler onWorker(KeyedHandler handler) {
        return (exchange, key) -> {
            exchange.startBlocking();
            // As an HttpHandler, so that Undertow turns an exception into a 500 and ends the exchange.
            exchange.dispatch((HttpHandler) worker -> handler.handleRequest(worker, key));
        };
    }
}
