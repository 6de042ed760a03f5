package minikv.index;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.util.LinkedHashMap;
import java.util.Map;

/** Sends each method to its handler; any other method gets 405 with the list that works. */
final class MethodRouter implements HttpHandler {

    private final Map<HttpString, HttpHandler> routes = new LinkedHashMap<>();
    private String allow = "";

    MethodRouter on(String method, HttpHandler handler) {
        routes.put(HttpString.tryFromString(method), handler);
        allow = String.join(", ", routes.keySet().stream().map(HttpString::toString).toList());
        return this;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        HttpHandler handler = routes.get(exchange.getRequestMethod());
        if (handler != null) {
            handler.handleRequest(exchange);
            return;
        }
        exchange.getResponseHeaders().put(Headers.ALLOW, allow);
        Responses.failure(exchange, new HttpFailure(405, exchange.getRequestMethod() + " is not supported; use " + allow));
    }
}
