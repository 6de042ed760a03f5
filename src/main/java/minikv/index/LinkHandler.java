package minikv.index;

import io.undertow.server.HttpServerExchange;
import minikv.store.IndexStore;
import minikv.store.Record;
import minikv.store.Record.State;

/**
 * UNLINK /key hides a live value without touching its replicas; RELINK /key brings it back.
 * Both only change the record (204), or answer 404 if the key is not in the state they undo.
 */
final class LinkHandler extends KeyChangeHandler {

    private final IndexStore store;
    private final State from;
    private final State to;

    private LinkHandler(IndexStore store, KeyClaims claims, State from, State to) {
        super(claims);
        this.store = store;
        this.from = from;
        this.to = to;
    }

    static LinkHandler unlink(IndexStore store, KeyClaims claims) {
        return new LinkHandler(store, claims, State.LIVE, State.UNLINKED);
    }

    static LinkHandler relink(IndexStore store, KeyClaims claims) {
        return new LinkHandler(store, claims, State.UNLINKED, State.LIVE);
    }

    @Override
    int change(HttpServerExchange exchange, Key key) throws HttpFailure {
        Record record = store.get(key.bytes());
        if (record == null || record.state() != from) {
            throw new HttpFailure(404, "");
        }
        store.put(key.bytes(), record.withState(to));
        return 204;
    }
}
