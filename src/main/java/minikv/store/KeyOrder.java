package minikv.store;

import java.util.Arrays;

/** Bounds in the stores' key order (unsigned bytes), for scans that skip ahead. */
public final class KeyOrder {

    private KeyOrder() {
    }

    /** The least key after every key that starts with {@code prefix}, or null if there is none. */
    public static byte[] afterPrefix(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xff) {
                byte[] end = Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return end;
            }
        }
        return null;
    }

    /** The least key after {@code key}: itself and a zero byte. */
    public static byte[] justAfter(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }
}
