package minikv.ops;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.util.function.Supplier;

/**
 * The admin endpoints, on a port of their own so that no path of the key space is taken:
 * {@code /metrics}, {@code /health/live}, {@code /health/ready}, {@code /status} (and {@code /}
 * redirecting there). Everything is answered from memory on the IO thread; one IO thread is
 * plenty and takes nothing from the key space's own.
 */
final class AdminServer implements AutoCloseable {

    private final Undertow undertow;

    private AdminServer(Undertow undertow) {
        this.undertow = undertow;
    }

    /** @throws RuntimeException (from Undertow) when the port cannot be had */
    static AdminServer start(OpsConfig.Admin admin, Supplier<String> metrics, Supplier<Readiness> readiness,
                             Supplier<String> statusPage) {
        Undertow undertow = Undertow.builder()
                .addHttpListener(admin.port(), admin.bind())
                .setIoThreads(1)
                .setWorkerThreads(1)
                .setHandler(new Routes(metrics, readiness, statusPage))
                .build();
        try {
            undertow.start();
        } catch (RuntimeException e) {
            undertow.stop(); // the IO thread may have started before the port was refused
            throw e;
        }
        return new AdminServer(undertow);
    }

    @Override
    public void close() {
        undertow.stop();
    }

    private record Routes(Supplier<String> metrics, Supplier<Readiness> readiness, Supplier<String> statusPage)
            implements HttpHandler {

        @Override
        public void handleRequest(HttpServerExchange exchange) {
            if (!exchange.getRequestMethod().equals(Methods.GET) && !exchange.getRequestMethod().equals(Methods.HEAD)) {
                exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", "only GET and HEAD\n");
                return;
            }
            switch (exchange.getRequestPath()) {
                case "/metrics" -> send(exchange, 200, PrometheusText.CONTENT_TYPE, metrics.get());
                case "/health/live" -> send(exchange, 200, "text/plain; charset=utf-8", "live\n");
                case "/health/ready" -> {
                    Readiness r = readiness.get();
                    send(exchange, r.ready() ? 200 : 503, "text/plain; charset=utf-8", r.reason() + "\n");
                }
                case "/status" -> send(exchange, 200, "text/html; charset=utf-8", statusPage.get());
                case "/" -> {
                    exchange.getResponseHeaders().put(Headers.LOCATION, "/status");
                    send(exchange, 302, "text/plain; charset=utf-8", "");
                }
                default -> send(exchange, 404, "text/plain; charset=utf-8",
                        "not an admin endpoint; try /status, /metrics, /health/live or /health/ready\n");
            }
        }

        private static void send(HttpServerExchange exchange, int status, String contentType, String body) {
            exchange.setStatusCode(status);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
            exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
            exchange.getResponseSender().send(body);
        }
    }
}
