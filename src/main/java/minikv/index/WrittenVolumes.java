package minikv.index;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;
import java.util.function.Function;
import java.util.stream.Collectors;
import minikv.placement.Placement;

/** For the access log: the volumes a PUT writes to (its placement), "-" for other changes. */
final class WrittenVolumes implements Function<HttpServerExchange, String> {

    private final Placement placement;

    WrittenVolumes(Placement placement) {
        this.placement = placement;
    }

    @Override
    public String apply(HttpServerExchange exchange) {
        Key key = KeyHandler.keyOf(exchange);
        if (key == null || !exchange.getRequestMethod().equals(Methods.PUT)) {
            return "-";
        }
        return placement.locations(key.bytes()).stream().map(Placement::volumeOf).collect(Collectors.joining(","));
    }
}
