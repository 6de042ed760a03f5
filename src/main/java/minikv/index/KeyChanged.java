package minikv.index;

import minikv.store.IndexStore;
import minikv.store.Record;

/**
 * 409: another index process sharing the store changed the key, or holds it, so this request
 * stops. A request changes a key's record only from the record it read (see {@link IndexStore}):
 * within one process its key claim makes that certain; across processes the store checks it.
 */
final class KeyChanged extends HttpFailure {

    private KeyChanged(String message) {
        super(409, message);
    }

    /** Changes {@code key}'s record from {@code from} to {@code to} (null: none) durably, or throws. */
    static void swap(IndexStore store, Key key, Record from, Record to) throws KeyChanged {
        if (!store.compareAndSet(key.bytes(), from, to)) {
            throw meanwhile(key);
        }
    }

    /** As {@link #swap}, for changes a machine crash may safely undo. */
    static void swapUnsynced(IndexStore store, Key key, Record from, Record to) throws KeyChanged {
        if (!store.compareAndSetUnsynced(key.bytes(), from, to)) {
            throw meanwhile(key);
        }
    }

    /** Takes charge of the key's unsettled record (see {@link IndexStore#adopt}), or throws. */
    static void adopt(IndexStore store, Key key, Record unsettled) throws KeyChanged {
        if (!store.adopt(key.bytes(), unsettled)) {
            throw new KeyChanged("another index process is writing or deleting " + key + " right now");
        }
    }

    private static KeyChanged meanwhile(Key key) {
        return new KeyChanged(key + " was changed by another index process meanwhile; this request changed nothing more");
    }
}
