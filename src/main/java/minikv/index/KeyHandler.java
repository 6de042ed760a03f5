package minikv.index;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import minikv.placement.Placement;

/**
 * Decodes the request path into a {@link Key} for the handler after it; refuses paths that
 * are not keys (400) and keys too long to be a file name on a volume (414). PUT and UNLINK
 * refuse keys a few bytes shorter still ({@link Key#tooLongToWrite}).
 */
final class KeyHandler implements HttpHandler {

    private final KeyedHandler next;

    KeyHandler(KeyedHandler next) {
        this.next = next;
    }

    /**
     * The request path exactly as sent, still percent-encoded (the server is set not to decode
     * URLs: see {@link Key}). Not {@code getRequestPath()}: Undertow cuts {@code ;params} from
     * it, and {@code /a;b} is a key like any other.
     */
    static String rawPath(HttpServerExchange exchange) {
        String uri = exchange.getRequestURI();
        if (exchange.isHostIncludedInRequestURI()) { // absolute form: http://host:port/path
            int path = uri.indexOf('/', uri.indexOf("//") + 2);
            return path < 0 ? "/" : uri.substring(path);
        }
        return uri;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        Key key;
        try {
            key = Key.fromRawPath(rawPath(exchange));
        } catch (HttpFailure bad) {
            Responses.failure(exchange, bad);
            return;
        }
        if (key.tooLongForAVolume()) {
            Responses.failure(exchange, new HttpFailure(414,
                    "key too long: its base64 file name would exceed " + Placement.MAX_NAME_BYTES + " characters"));
            return;
        }
        next.handleRequest(exchange, key);
    }
}
