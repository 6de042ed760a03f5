package minikv.index;

/**
 * Sizes one page of a listing without holding its keys: fed the matching keys in order, it
 * counts those that belong on the page, remembers the first key of the next page, and notices
 * a page too large to answer. The keys themselves are streamed in a second pass over the same
 * snapshot, so memory stays flat however many keys there are.
 */
final class ListPage {

    /** The most keys one answer may hold (minikeyvalue's limit): beyond, the client must page. */
    static final int MAX_KEYS = 1_000_000;

    private final int limit;
    private int count;
    private byte[] next;
    private boolean tooLarge;

    /** @param limit the most keys on the page, 0 for no limit */
    ListPage(int limit) {
        this.limit = limit;
    }

    /** Offers the next matching key; returns false once the page is decided. */
    boolean offer(byte[] key) {
        if (limit > 0 && count == limit) {
            next = key;
            return false;
        }
        if (count == MAX_KEYS) {
            tooLarge = true;
            return false;
        }
        count++;
        return true;
    }

    /** How many keys, from the first matching one, make up this page. */
    int count() {
        return count;
    }

    /** The first key of the next page, or null on the last page. */
    byte[] next() {
        return next;
    }

    /** True if the page would hold more than {@link #MAX_KEYS} keys. */
    boolean tooLarge() {
        return tooLarge;
    }
}
