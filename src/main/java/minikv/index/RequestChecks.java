package minikv.index;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.util.Set;

/**
 * Refuses, with a one-line reason and before anything runs, the requests whose framing or
 * query the index would otherwise misread. Undertow's parser lets some through: it reads any
 * Transfer-Encoding but {@code identity} as chunked (a gzipped body would be stored still
 * gzipped), a Content-Length beyond 2^64 wraps around instead of failing, and it does not
 * know which methods take a query. Runs on the IO thread: header lookups only.
 *
 * <ul>
 *   <li>a Content-Length that is not a decimal number below 2^63: 400, connection closed
 *       (where the body ends is unknown);</li>
 *   <li>a Transfer-Encoding other than {@code chunked}: 501, connection closed;</li>
 *   <li>more than {@link #MAX_PARAMETERS} query parameters: 400;</li>
 *   <li>a query on PUT, DELETE, UNLINK or RELINK, which take none ({@code DELETE /k?list} would
 *       otherwise delete {@code /k}): 400, nothing changed.</li>
 * </ul>
 */
final class RequestChecks implements HttpHandler {

    /** Query parameters a request may carry: a listing takes three, REPAIR a few. */
    static final int MAX_PARAMETERS = 16;
    private static final Set<HttpString> TAKE_NO_QUERY = Set.of(Methods.PUT, Methods.DELETE,
            HttpString.tryFromString("UNLINK"), HttpString.tryFromString("RELINK"));

    private final HttpHandler next;

    RequestChecks(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        HttpFailure framing = framingRefusal(exchange);
        if (framing != null) {
            // Where the body ends is unknown: the connection cannot carry another request, and
            // the body is not read.
            exchange.setPersistent(false);
            Responses.failure(exchange, framing);
            return;
        }
        HttpFailure query = queryRefusal(exchange);
        if (query == null) {
            next.handleRequest(exchange);
        } else if (exchange.isRequestComplete()) {
            Responses.failure(exchange, query);
        } else {
            // On a worker, so that a small body is read before the answer (see Responses).
            exchange.startBlocking();
            exchange.dispatch((HttpHandler) worker -> Responses.failure(worker, query));
        }
    }

    private static HttpFailure framingRefusal(HttpServerExchange exchange) {
        HeaderValues lengths = exchange.getRequestHeaders().get(Headers.CONTENT_LENGTH);
        if (lengths != null) {
            for (String length : lengths) {
                if (!isLength(length)) {
                    return HttpFailure.badRequest("Content-Length must be a decimal number of bytes below 2^63, not '"
                            + printable(length) + "'");
                }
            }
        }
        HeaderValues codings = exchange.getRequestHeaders().get(Headers.TRANSFER_ENCODING);
        if (codings != null && (codings.size() != 1 || !codings.getFirst().trim().equalsIgnoreCase("chunked"))) {
            return new HttpFailure(501, "Transfer-Encoding '" + printable(String.join(", ", codings)) + "' is not"
                    + " supported: minikv stores a body as sent, so send it with a Content-Length or chunked alone");
        }
        return null;
    }

    private static HttpFailure queryRefusal(HttpServerExchange exchange) {
        String query = exchange.getQueryString();
        if (query.isEmpty()) {
            return null;
        }
        if (parameters(query) > MAX_PARAMETERS) {
            return HttpFailure.badRequest("at most " + MAX_PARAMETERS + " query parameters");
        }
        if (TAKE_NO_QUERY.contains(exchange.getRequestMethod())) {
            return HttpFailure.badRequest(exchange.getRequestMethod() + " takes no query ('?" + printable(query)
                    + "'); a listing is GET /prefix?list; nothing changed");
        }
        return null;
    }

    /** 1 to 19 decimal digits whose value fits a long. */
    static boolean isLength(String value) {
        int n = value.length();
        if (n == 0 || n > 19) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return n < 19 || value.compareTo(Long.toString(Long.MAX_VALUE)) <= 0;
    }

    private static int parameters(String query) {
        int count = 1;
        for (int i = 0; i < query.length(); i++) {
            if (query.charAt(i) == '&') {
                count++;
            }
        }
        return count;
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
