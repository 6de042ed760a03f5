package minikv.index;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds the PUTs one client address may have in progress, so that no client can hold every
 * worker thread: a PUT holds one for as long as its body takes, and a client that trickles
 * bytes just fast enough to beat --write-timeout holds it indefinitely. Beyond the bound a PUT
 * is refused with 429 before its body is read; PUTs from other addresses, and every read, go on.
 * Runs on the IO thread.
 */
final class WritesPerAddress implements HttpHandler {

    /** Half the workers: one address can never take them all. */
    static final int MAX_WRITES_PER_ADDRESS = IndexServer.WORKER_THREADS / 2;

    /** Per address, its PUTs in progress; absent at 0. Changed only atomically, by merge and computeIfPresent. */
    private final Map<InetAddress, Integer> inProgress = new ConcurrentHashMap<>();
    private final HttpHandler next;

    WritesPerAddress(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        InetSocketAddress peer = exchange.getSourceAddress();
        if (peer == null) {
            next.handleRequest(exchange);
            return;
        }
        InetAddress address = peer.getAddress();
        if (inProgress.merge(address, 1, Integer::sum) > MAX_WRITES_PER_ADDRESS) {
            release(address);
            exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "1");
            Responses.failure(exchange, new HttpFailure(429, "this address has " + MAX_WRITES_PER_ADDRESS
                    + " PUTs in progress, as many as one address may; retry once one has finished; nothing stored"));
            return;
        }
        exchange.addExchangeCompleteListener((done, nextListener) -> {
            release(address);
            nextListener.proceed();
        });
        next.handleRequest(exchange);
    }

    private void release(InetAddress address) {
        inProgress.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
    }
}
