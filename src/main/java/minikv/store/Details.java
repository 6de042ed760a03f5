package minikv.store;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a record may know about its value besides where it lies: its size, when it was written,
 * and the headers stored with it (S3's Content-Type, Cache-Control, {@code x-amz-meta-*}...,
 * by lower-case name). Records written before version 3 know none: {@link #UNKNOWN}; those
 * rebuilt from the volumes know the size their replicas agree on, and no time.
 *
 * @param size the value's bytes, or -1 if unknown
 * @param modifiedMillis when it was written (epoch milliseconds), or 0 if unknown
 */
public record Details(long size, long modifiedMillis, Map<String, String> headers) {

    public static final Details UNKNOWN = new Details(-1, 0, Map.of());

    public Details {
        if (size < -1 || modifiedMillis < 0) {
            throw new IllegalArgumentException("a size is -1 or more and a time 0 or more, not " + size + ", " + modifiedMillis);
        }
        headers = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(headers)); // one order, one encoding
    }

    public boolean known() {
        return !equals(UNKNOWN);
    }
}
