package minikv.index;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.OutputStream;
import minikv.ops.RequestObserver;

/** The few ways the index answers. */
final class Responses {

    /** Unread body up to this size is read and dropped before an early answer (see drainSmallBody). */
    private static final long DRAIN_LIMIT = 1 << 20;

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
        if (!exchange.isRequestComplete() && !drainSmallBody(exchange)) {
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

    /**
     * Reads and drops the rest of a small request body, on a worker thread, so that the
     * connection can be closed without unread bytes: closing with unread bytes makes the kernel
     * reset the connection, and a reset can destroy the answer before the client reads it (seen
     * as "no answer" by a PUT that lost a race for its key). A large body is not worth reading
     * just to say no.
     *
     * @return true if the body was read to its end
     */
    private static boolean drainSmallBody(HttpServerExchange exchange) {
        if (exchange.isInIoThread() || !exchange.isBlocking()) {
            return false;
        }
        long length = exchange.getRequestContentLength();
        if (length < 0 || length > DRAIN_LIMIT) {
            return false;
        }
        try {
            exchange.getInputStream().transferTo(OutputStream.nullOutputStream());
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
