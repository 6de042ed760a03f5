package minikv.ops;

import io.undertow.conduits.BytesReceivedStreamSourceConduit;
import io.undertow.server.ConduitWrapper;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.ConduitFactory;
import io.undertow.util.Headers;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.conduits.StreamSourceConduit;

/**
 * The one handler in front of the index's routes that observes every request when it completes:
 * metrics always, a warning for a failed write, an access line when the access log is on.
 *
 * <p>A request answered before its handler returns (a GET or HEAD on the IO thread, the fast
 * path) is observed right then; any other gets a shared completion listener. Observing is
 * {@link RequestMetrics#record}: no allocation, no lock, no logging unless the access log is on.
 * The request start time comes from Undertow ({@code RECORD_REQUEST_START_TIME}). Requests with
 * a body get a counting wrapper around it.
 */
public final class RequestObserver implements HttpHandler, ExchangeCompletionListener {

    /** Why a request failed with a 5xx, attached by whoever answered it; logged with the warning. */
    public static final AttachmentKey<String> FAILURE_REASON = AttachmentKey.create(String.class);

    private static final Logger log = LoggerFactory.getLogger(RequestObserver.class);
    private static final AttachmentKey<BodyBytes> BODY_BYTES = AttachmentKey.create(BodyBytes.class);

    private final HttpHandler next;
    private final RequestMetrics metrics;
    private final AccessLog accessLog;
    private final Function<HttpServerExchange, String> volumesWritten;

    /**
     * @param accessLog where access lines go, or null for none
     * @param volumesWritten the volumes a write request went to, for its access line ("-" for none)
     */
    public RequestObserver(HttpHandler next, RequestMetrics metrics, AccessLog accessLog,
                           Function<HttpServerExchange, String> volumesWritten) {
        this.next = next;
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.volumesWritten = volumesWritten;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        RequestMetrics.Method method = RequestMetrics.Method.of(exchange.getRequestMethod());
        if (method != RequestMetrics.Method.GET && method != RequestMetrics.Method.HEAD) {
            BodyBytes body = new BodyBytes(metrics, method);
            exchange.putAttachment(BODY_BYTES, body);
            exchange.addRequestWrapper(body);
        }
        try {
            next.handleRequest(exchange);
        } finally {
            // Answered already: counted now. That includes an answer that closed the connection
            // before the body was read (a refused framing): its response is complete and its
            // listeners have run, though its request never completes. Otherwise it was
            // dispatched (Undertow starts that task only after this call returns), threw
            // (Undertow answers 500 after it returns) or waits on I/O that this same thread sees
            // to later: it cannot complete before the listener is in place.
            if (exchange.isComplete() || exchange.isResponseComplete()) {
                observe(exchange);
            } else {
                exchange.addExchangeCompleteListener(this);
            }
        }
    }

    @Override
    public void exchangeEvent(HttpServerExchange exchange, NextListener nextListener) {
        try {
            observe(exchange);
        } finally {
            nextListener.proceed();
        }
    }

    private void observe(HttpServerExchange exchange) {
        RequestMetrics.Method method = RequestMetrics.Method.of(exchange.getRequestMethod());
        int status = exchange.getStatusCode();
        long started = exchange.getRequestStartTime();
        long nanos = started > 0 ? System.nanoTime() - started : -1;
        long sent = exchange.getResponseBytesSent();
        metrics.record(method, status, nanos, sent);
        boolean read = method == RequestMetrics.Method.GET || method == RequestMetrics.Method.HEAD;
        if (status >= 500 && !read) {
            // Reads failing for want of a volume are not logged one by one (that would flood the
            // IO thread in an outage): the volume going down is logged once, and they are counted.
            String reason = exchange.getAttachment(FAILURE_REASON);
            log.warn("{} {} answered {}: {}", method, exchange.getRequestURI(), status, reason == null ? "(no reason given)" : reason);
        }
        if (accessLog != null) {
            BodyBytes body = exchange.getAttachment(BODY_BYTES);
            String query = exchange.getQueryString();
            // The URI as sent (still percent-encoded, ;params kept), not Undertow's trimmed request path.
            String uri = exchange.getRequestURI();
            accessLog.add(new AccessLog.Entry(System.currentTimeMillis(), exchange.getRequestMethod().toString(),
                    query.isEmpty() ? uri : uri + "?" + query, status,
                    body == null ? 0 : body.count, sent, nanos, read ? redirectedTo(exchange) : volumesWritten.apply(exchange)));
        }
    }

    /** The volume ({@code host:port}) of a redirect's Location, or "-". */
    private static String redirectedTo(HttpServerExchange exchange) {
        String location = exchange.getResponseHeaders().getFirst(Headers.LOCATION);
        if (location == null || !location.startsWith("http://")) {
            return "-";
        }
        int end = location.indexOf('/', "http://".length());
        return location.substring("http://".length(), end < 0 ? location.length() : end);
    }

    /** Counts one request's body bytes, for the metrics as they arrive and for its access line. */
    private static final class BodyBytes implements ConduitWrapper<StreamSourceConduit> {
        private final RequestMetrics metrics;
        private final RequestMetrics.Method method;
        private volatile long count;

        BodyBytes(RequestMetrics metrics, RequestMetrics.Method method) {
            this.metrics = metrics;
            this.method = method;
        }

        @Override
        public StreamSourceConduit wrap(ConduitFactory<StreamSourceConduit> factory,
                                        HttpServerExchange exchange) {
            return new BytesReceivedStreamSourceConduit(factory.create(), bytes -> {
                count += bytes; // one reader thread at a time
                metrics.received(method, bytes);
            });
        }
    }
}
