package minikv.index;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import minikv.ops.RequestObserver;

/** The few ways the index answers. */
final class Responses {

    private Responses() {}

    /** A status with no body, as minikeyvalue sends for 201, 204 and 404. */
    static void empty(HttpServerExchange exchange, int status) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, "0");
        exchange.endExchange();
    }

    /** An error status whose plain-text body says why (Undertow drops the body for HEAD). */
    static void failure(HttpServerExchange exchange, HttpFailure failure) {
        if (exchange.isResponseStarted()) {
            // The client went away mid-request and Undertow has already ended the exchange.
            exchange.endExchange();
            return;
        }
        if (!exchange.isRequestComplete()) {
            // The client may still be sending a large body: close rather than read it all first.
            exchange.setPersistent(false);
        }
        if (failure.status() == 404) {
            empty(exchange, 404);
            return;
        }
        if (failure.status() >= 500) {
            exchange.putAttachment(RequestObserver.FAILURE_REASON, failure.getMessage());
        }
        exchange.setStatusCode(failure.status());
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send(failure.getMessage() + "\n");
    }
}
