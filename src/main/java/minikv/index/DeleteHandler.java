package minikv.index;

import io.undertow.server.HttpServerExchange;
import minikv.store.IndexStore;
import minikv.store.Record;

/**
 * DELETE /key: removes the value and every replica (204), or says which volume is in the way
 * (503/502) and leaves the key DELETING (absent to readers), for the background settling to
 * finish once the volume is back, or a retry before it. The copy of the S3 headers of a key S3
 * wrote goes too (see {@link S3HeadersCopies}). Runs on a worker.
 * With --protect, only an unlinked key may be deleted.
 */
final class DeleteHandler extends KeyChangeHandler {

    private final IndexStore store;
    private final Eraser eraser;
    private final boolean protect;
    private final S3HeadersCopies headersCopies;

    DeleteHandler(IndexStore store, Eraser eraser, KeyClaims claims, boolean protect, S3HeadersCopies headersCopies) {
        super(claims);
        this.store = store;
        this.eraser = eraser;
        this.protect = protect;
        this.headersCopies = headersCopies;
    }

    @Override
    int change(HttpServerExchange exchange, Key key) throws HttpFailure {
        Record record = store.get(key.bytes());
        if (record == null) {
            throw new HttpFailure(404, "");
        }
        if (protect && record.state() == Record.State.LIVE) {
            throw new HttpFailure(403, "--protect is on: UNLINK " + key + " before deleting it");
        }
        eraser.erase(key, record);
        if (!record.details().headers().isEmpty()) {
            // Written by S3 with stored headers: their copy is on the volumes too. A plain key
            // has none, and its DELETE pays for no lookup.
            headersCopies.dropAfterDelete(key);
        }
        return 204;
    }
}
