package minikv.index;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.SameThreadExecutor;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import minikv.placement.Placement;
import minikv.placement.VolumeHealth;
import minikv.store.IndexStore;
import minikv.store.Record;
import minikv.store.StoreUnavailable;

/**
 * GET and HEAD /key: a 302 to one replica on a volume that is up, chosen at random to spread
 * reads. Listings ({@code GET /prefix?list}, and HEAD of one) go to the list handler.
 *
 * <p>This runs on the IO thread, which must never block. The lookup may stay here because a
 * Xodus read-only transaction takes no lock and waits for no writer, and the index's log pages
 * are read through Xodus's in-memory cache; only a cold page costs a read from the page cache.
 * Volume health is read from memory, kept current by probes, so no request waits on a volume.
 * A store whose reads wait on a database server ({@link IndexStore#getMayWait}) is asked with
 * {@link IndexStore#lookUp}, which answers later from a thread of its own: the IO thread goes on
 * meanwhile, and the answer is written back on it.
 */
final class GetHandler implements KeyedHandler {

    private static final HttpString CONTENT_MD5 = new HttpString("Content-Md5");
    private static final HttpString KEY_VOLUMES = new HttpString("Key-Volumes");
    private static final HttpString KEY_BALANCE = new HttpString("Key-Balance");

    private final IndexStore store;
    private final Placement placement;
    private final VolumeHealth health;
    private final String fallback;
    private final ReplicaLinks links;
    private final KeyedHandler list;
    private final DatabaseOutage outage;

    /** @param fallback where to redirect misses ({@code host:port}), or null to answer 404 */
    GetHandler(IndexStore store, Placement placement, VolumeHealth health, String fallback, ReplicaLinks links,
            KeyedHandler list, DatabaseOutage outage) {
        this.store = store;
        this.outage = outage;
        this.placement = placement;
        this.health = health;
        this.fallback = fallback;
        this.links = links;
        this.list = list;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange, Key key) throws Exception {
        if (!exchange.getQueryString().isEmpty()) { // a listing; HEAD gets its status and headers
            list.handleRequest(exchange, key);
            return;
        }
        if (!store.getMayWait()) {
            answer(exchange, key, store.get(key.bytes()));
            return;
        }
        // Handed to the store's readers once this handler has returned; the answer comes back
        // to the exchange's IO thread.
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> store.lookUp(key.bytes(), new IndexStore.Found() {
            @Override
            public void found(Record record) {
                exchange.getIoThread().execute(() -> answer(exchange, key, record));
            }

            @Override
            public void failed(RuntimeException e) {
                exchange.getIoThread().execute(() -> {
                    if (e instanceof StoreUnavailable unavailable) {
                        outage.answer(exchange, unavailable);
                    } else {
                        Responses.failure(exchange, new HttpFailure(500, "index error: " + e.getMessage()));
                    }
                });
            }
        }));
    }

    private void answer(HttpServerExchange exchange, Key key, Record record) {
        if (record == null || record.state() != Record.State.LIVE) {
            miss(exchange);
            return;
        }
        String location = pickReplicaThatIsUp(record.locations());
        if (location == null) {
            Responses.failure(exchange, new HttpFailure(503, "no replica of " + key + " is on a volume that is up: "
                    + health.downReason(record.locations().get(0))));
            return;
        }
        HeaderMap headers = exchange.getResponseHeaders();
        headers.put(Headers.LOCATION, links.to(location, key.bytes()));
        headers.put(Headers.CONTENT_LENGTH, "0");
        String md5 = record.md5Hex();
        if (md5 != null) {
            headers.put(CONTENT_MD5, md5);
        }
        headers.put(KEY_VOLUMES, String.join(",", record.locations()));
        headers.put(KEY_BALANCE, record.locations().equals(placement.locations(key.bytes())) ? "balanced" : "unbalanced");
        exchange.setStatusCode(302);
        exchange.endExchange();
    }

    private void miss(HttpServerExchange exchange) {
        if (fallback == null) {
            Responses.empty(exchange, 404);
            return;
        }
        exchange.getResponseHeaders().put(Headers.LOCATION, "http://" + fallback + KeyHandler.rawPath(exchange));
        Responses.empty(exchange, 302);
    }

    /** A random one of the replicas whose volume is up, or null; allocates nothing. */
    private String pickReplicaThatIsUp(List<String> locations) {
        int up = 0;
        for (String location : locations) {
            if (health.isUp(location)) {
                up++;
            }
        }
        if (up == 0) {
            return null;
        }
        int pick = ThreadLocalRandom.current().nextInt(up);
        for (String location : locations) {
            if (health.isUp(location) && pick-- == 0) {
                return location;
            }
        }
        return null; // a volume went down between the two loops
    }
}
