package minikv.index;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import minikv.placement.Placement;

/**
 * Decodes the request path into a {@link Key} for the handlers after it; refuses paths that
 * are not keys (400) and keys too long to be a file name on a volume (414).
 */
final class KeyHandler implements HttpHandler {

    private static final AttachmentKey<Key> KEY = AttachmentKey.create(Key.class);

    private final HttpHandler next;

    KeyHandler(HttpHandler next) {
        this.next = next;
    }

    static Key keyOf(HttpServerExchange exchange) {
        return exchange.getAttachment(KEY);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        Key key;
        try {
            // Raw, because the server is set not to decode URLs: see Key.
            key = Key.fromRawPath(exchange.getRequestPath());
        } catch (HttpFailure bad) {
            Responses.failure(exchange, bad);
            return;
        }
        if (key.tooLongForAVolume()) {
            Responses.failure(exchange, new HttpFailure(414,
                    "key too long: its base64 file name would exceed " + Placement.MAX_NAME_BYTES + " characters"));
            return;
        }
        exchange.putAttachment(KEY, key);
        next.handleRequest(exchange);
    }
}
