package minikv.index;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;
import java.util.function.Function;
import java.util.stream.Collectors;
import minikv.placement.Placement;

/**
 * For the access log: the volumes a PUT writes to (its placement), "-" for other changes. Only
 * called with the access log on, so the key is decoded a second time rather than carried on every
 * request.
 */
final class WrittenVolumes implements Function<HttpServerExchange, String> {

    private final Placement placement;

    WrittenVolumes(Placement placement) {
        this.placement = placement;
    }

    @Override
    public String apply(HttpServerExchange exchange) {
        if (!exchange.getRequestMethod().equals(Methods.PUT)) {
            return "-";
        }
        Key key;
        try {
            key = Key.fromRawPath(KeyHandler.rawPath(exchange));
        } catch (HttpFailure notAKey) {
            return "-";
        }
        return placement.locations(key.bytes()).stream().map(Placement::volumeOf).collect(Collectors.joining(","));
    }
}
