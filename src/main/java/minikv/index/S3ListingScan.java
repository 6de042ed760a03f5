package minikv.index;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import minikv.store.IndexStore;
import minikv.store.KeyOrder;
import minikv.store.Record;

/**
 * One page of an S3 listing, from the store's ordered scan: the live keys under {@code
 * prefix}, from {@code start} on, with those that hold {@code delimiter} after the prefix
 * rolled up into common prefixes. A common prefix costs one seek past all its keys, so a page
 * reads about as many records as it lists, however many keys lie below its prefixes.
 */
final class S3ListingScan {

    /** A listed key (the whole minikv key) and its record. */
    record Entry(byte[] key, Record record) {}

    /**
     * @param contents       the keys listed, in order
     * @param commonPrefixes the rolled-up prefixes (whole minikv keys), in order among the contents
     * @param resumeAt       where the next page starts (inclusive), or null if this page is the last
     * @param lastListed     the last key or common prefix listed, or null if none
     */
    record Page(List<Entry> contents, List<byte[]> commonPrefixes, byte[] resumeAt, byte[] lastListed) {
        boolean truncated() {
            return resumeAt != null;
        }
    }

    private S3ListingScan() {
    }

    /**
     * @param marker    the bucket's own key ({@code /bucket/}), never listed
     * @param prefix    the whole minikv prefix ({@code /bucket/} + the S3 prefix)
     * @param delimiter the delimiter's bytes, or null
     * @param start     the least key to list (inclusive)
     */
    static Page scan(IndexStore.Snapshot snapshot, byte[] marker, byte[] prefix, byte[] delimiter, byte[] start,
            int maxKeys) {
        List<Entry> contents = new ArrayList<>();
        List<byte[]> prefixes = new ArrayList<>();
        byte[][] last = {null};
        byte[][] resume = {null};
        byte[] from = Arrays.compareUnsigned(start, prefix) > 0 ? start : prefix;
        while (from != null && maxKeys > 0) { // a page of none says nothing of what follows
            byte[][] skipTo = {null};
            snapshot.scanRecords(prefix, from, Record.State.LIVE, (key, record) -> {
                if (Arrays.equals(key, marker)) {
                    return true;
                }
                if (contents.size() + prefixes.size() == maxKeys) {
                    resume[0] = key; // there is more: the next page starts here
                    return false;
                }
                int at = delimiter == null ? -1 : indexOf(key, delimiter, prefix.length);
                if (at >= 0) {
                    byte[] common = Arrays.copyOf(key, at + delimiter.length);
                    prefixes.add(common);
                    last[0] = common;
                    skipTo[0] = KeyOrder.afterPrefix(common);
                    return false;
                }
                contents.add(new Entry(key, record));
                last[0] = key;
                return true;
            });
            if (resume[0] != null || skipTo[0] == null) {
                break;
            }
            from = skipTo[0];
        }
        return new Page(contents, prefixes, resume[0], last[0]);
    }

    static int indexOf(byte[] key, byte[] part, int from) {
        outer:
        for (int i = from; i <= key.length - part.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (key[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
