package minikv.cluster;

import java.util.Base64;
import minikv.placement.Placement;

/**
 * How a replica is named on a volume, and how a name found there maps back to its key. This is
 * the whole of the metadata the volumes carry for a rebuild:
 *
 * <ul>
 *   <li>a live value is the file {@code [/svXX]/aa/bb/<base64 key>}, exactly minikeyvalue's path;</li>
 *   <li>an unlinked value is the same file renamed (WebDAV MOVE, an atomic rename on the volume)
 *       to {@code <base64 key>.unlinked}. Base64 never contains a dot, so no key's live name can
 *       end that way, and the volume refuses names that <em>start</em> with a dot, not this one;</li>
 *   <li>a write in progress is invisible: nginx keeps a PUT's body in its temp directory and
 *       renames it into place only once the index has sent the last byte, which the index
 *       holds back until the whole body has arrived.</li>
 * </ul>
 * Nothing is written per PUT beyond the value itself; only UNLINK and RELINK (rare) cost a
 * request per replica.
 */
public final class ReplicaName {

    /** Bucket directories {@code aa/bb} per root: the first two bytes of md5(key). */
    public static final int BUCKETS = 1 << 16;

    /** Appended to the base64 name of an unlinked replica. */
    public static final String UNLINKED_SUFFIX = ".unlinked";

    /**
     * The longest key minikv writes, in UTF-8 bytes: 183, whose base64 name (244 characters)
     * with {@link #UNLINKED_SUFFIX} still fits in one 255-byte file name, so that every
     * operation (UNLINK's rename included) works on every key it stores. Keys up to 189 bytes
     * (the file-name limit alone, which minikeyvalue has) are still read and deleted.
     */
    public static final int MAX_KEY_BYTES = 3 * ((Placement.MAX_NAME_BYTES - UNLINKED_SUFFIX.length()) / 4);

    private ReplicaName() {
    }

    /** The URL path of the key's replica at {@code location}, live or unlinked. */
    public static String path(String location, byte[] key, boolean unlinked) {
        String path = Placement.replicaPath(location, key);
        return unlinked ? path + UNLINKED_SUFFIX : path;
    }

    /** The full URL of the key's replica at {@code location}, live or unlinked. */
    public static String url(String location, byte[] key, boolean unlinked) {
        return "http://" + Placement.volumeOf(location) + path(location, key, unlinked);
    }

    /** A file name found on a volume that is a replica: whose key, and whether it is unlinked. */
    public record Decoded(byte[] key, String base64, boolean unlinked) {}

    /**
     * Decodes a file found in bucket directory {@code aa/bb} (bucket = {@code aa << 8 | bb})
     * under the path {@code relative} below it ({@code Yg==}, or {@code L2E/Yg==} when the
     * base64 name holds a slash and nginx created a directory for it).
     *
     * @return the key, or null when the name is not a replica's: not canonical base64, or the
     *     base64 of a key whose md5 puts it in another bucket
     */
    public static Decoded decode(int bucket, String relative) {
        boolean unlinked = relative.endsWith(UNLINKED_SUFFIX);
        String base64 = unlinked ? relative.substring(0, relative.length() - UNLINKED_SUFFIX.length()) : relative;
        if (base64.isEmpty() || base64.length() % 4 != 0) {
            return null; // standard base64 with padding always comes in blocks of four
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return null;
        }
        // The decoder tolerates some non-canonical forms (non-zero padding bits): a name is a
        // key's only if encoding the key gives that very name back.
        if (key.length == 0 || !Base64.getEncoder().encodeToString(key).equals(base64)) {
            return null;
        }
        byte[] md5 = Placement.md5(key);
        if (((md5[0] & 0xff) << 8 | (md5[1] & 0xff)) != bucket) {
            return null;
        }
        return new Decoded(key, base64, unlinked);
    }

    /** The bucket directory {@code aa/bb} of a bucket number. */
    public static String bucketDir(int bucket) {
        return String.format("%02x/%02x", bucket >> 8, bucket & 0xff);
    }
}
