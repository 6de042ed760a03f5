package minikv.store;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A Bloom filter over every key the index has ever held since it opened: {@link #mightHold}
 * false means the key certainly has no record, so a lookup of a missing key (the most common
 * GET a cache in front of minikv sends) answers without a database transaction.
 *
 * <p>Keys are only ever added: a key deleted since the store opened still reads as "might
 * hold" and costs one database lookup, as every key did before. Sized when the store opens
 * for twice the keys it held then; past that its false-positive rate rises (about 1% at its
 * size, 14% at twice that) until the next open sizes it anew. It is never wrong the other way.
 *
 * <p>A filter {@link #toFill} is filled by a scan that runs while the store already serves:
 * until {@link #filled} it answers "might hold" for every key, so a lookup is never wrong
 * meanwhile, only as slow as without a filter.
 *
 * <p>Thread-safe: adds (from the store's writer and the filling scan) and reads (from any
 * thread) share no lock.
 */
final class KeyFilter {

    /** About 1% false positives at capacity with {@link #PROBES} probes. */
    private static final int BITS_PER_KEY = 10;
    private static final int PROBES = 7;
    /** A fresh index is sized for this many keys, so that a small one does not saturate at once. */
    static final long MIN_CAPACITY = 1 << 20;
    /** 64 MiB of bits at most; a larger index keeps the filter, with a higher false-positive rate. */
    static final long MAX_BITS = 64L * 8 * 1024 * 1024;

    private final AtomicLongArray words;
    private final long bits;
    /** False while a scan is still adding the keys the index held when it opened. */
    private volatile boolean filled;

    private KeyFilter(long bits, boolean filled) {
        this.bits = bits;
        this.words = new AtomicLongArray((int) ((bits + 63) / 64));
        this.filled = filled;
    }

    /** A filter in use at once, for an index that holds {@code keys} keys now and may double. */
    static KeyFilter forKeys(long keys) {
        return new KeyFilter(bitsFor(keys), true);
    }

    /** As {@link #forKeys}, but in use only once {@link #filled} says every key held now was added. */
    static KeyFilter toFill(long keys) {
        return new KeyFilter(bitsFor(keys), false);
    }

    private static long bitsFor(long keys) {
        long capacity = Math.max(MIN_CAPACITY, 2 * keys);
        return Math.min(MAX_BITS, capacity * BITS_PER_KEY);
    }

    /** Every key the index held when the filter was made has been added: from now on it answers. */
    void filled() {
        filled = true;
    }

    boolean isFilled() {
        return filled;
    }

    /** How much memory its bits take. */
    long bytes() {
        return words.length() * 8L;
    }

    void add(byte[] key) {
        add(key, key.length);
    }

    /** Adds the key in the first {@code length} bytes of {@code key}. */
    void add(byte[] key, int length) {
        long h1 = hash(key, length);
        long h2 = mix(h1 ^ 0x9E3779B97F4A7C15L) | 1; // odd, so the probes differ
        for (int i = 0; i < PROBES; i++) {
            long bit = Long.remainderUnsigned(h1 + i * h2, bits);
            long mask = 1L << bit; // shifts use the low 6 bits: the bit within its word
            int word = (int) (bit >>> 6);
            if ((words.get(word) & mask) == 0) {
                words.getAndAccumulate(word, mask, (a, b) -> a | b);
            }
        }
    }

    /** False only if {@code key} was never {@link #add}ed (and the filter is {@link #filled}). */
    boolean mightHold(byte[] key) {
        if (!filled) {
            return true;
        }
        long h1 = hash(key, key.length);
        long h2 = mix(h1 ^ 0x9E3779B97F4A7C15L) | 1;
        for (int i = 0; i < PROBES; i++) {
            long bit = Long.remainderUnsigned(h1 + i * h2, bits);
            if ((words.get((int) (bit >>> 6)) & (1L << bit)) == 0) {
                return false;
            }
        }
        return true;
    }

    /** 64-bit FNV-1a, then a finalizer that spreads its bits (FNV alone clusters in the low ones). */
    static long hash(byte[] key, int length) {
        long h = 0xCBF29CE484222325L;
        for (int i = 0; i < length; i++) {
            h = (h ^ (key[i] & 0xFF)) * 0x100000001B3L;
        }
        return mix(h);
    }

    /** SplitMix64's finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
