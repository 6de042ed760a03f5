package minikv.index;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import minikv.store.IndexStore;

/**
 * GET (or HEAD) /prefix?list and /prefix?unlinked, with optional {@code &start=KEY&limit=N}:
 * {@code {"next": "...", "keys": [...]}} in key order. Runs on a worker: it scans.
 *
 * <p>Two passes over one snapshot: the first sizes the page and finds {@code next} (so that it
 * can come first, as minikeyvalue writes it, and a page too large is refused before anything is
 * sent); the second streams the keys. Nothing is held in memory but one key at a time.
 */
final class ListHandler implements KeyedHandler {

    private static final JsonFactory JSON = new JsonFactory();

    private final IndexStore store;

    ListHandler(IndexStore store) {
        this.store = store;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange, Key prefixKey) throws IOException {
        byte[] prefix = prefixKey.bytes();
        ListQuery query;
        try {
            query = ListQuery.parse(exchange.getQueryString());
        } catch (HttpFailure bad) {
            Responses.failure(exchange, bad);
            return;
        }
        try (IndexStore.Snapshot snapshot = store.snapshot()) {
            ListPage page = new ListPage(query.limit());
            snapshot.scanKeys(prefix, query.start(), query.state(), page::offer);
            if (page.tooLarge()) {
                Responses.failure(exchange, new HttpFailure(413,
                        "more than " + ListPage.MAX_KEYS + " keys: ask for pages with &limit=N and &start=NEXT"));
                return;
            }
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
            if (exchange.getRequestMethod().equals(Methods.HEAD)) {
                exchange.endExchange(); // what GET would answer, without the body
                return;
            }
            try (JsonGenerator json = JSON.createGenerator(exchange.getOutputStream())) {
                json.writeStartObject();
                json.writeStringField("next", page.next() == null ? "" : utf8(page.next()));
                json.writeArrayFieldStart("keys");
                int[] left = {page.count()};
                snapshot.scanKeys(prefix, query.start(), query.state(), key -> {
                    if (left[0]-- == 0) {
                        return false;
                    }
                    writeKey(json, key);
                    return true;
                });
                json.writeEndArray();
                json.writeEndObject();
            }
        }
    }

    private static void writeKey(JsonGenerator json, byte[] key) {
        try {
            json.writeString(utf8(key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String utf8(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }
}
