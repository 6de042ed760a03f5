package minikv.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * Which keys of S3 multipart uploads are abandoned: the parts of an upload that is gone
 * (completed or aborted while a part was being written, or lost), and uploads begun before a
 * time with all their parts. Uploads are the keys {@code /.minikv-multipart/BUCKET/ID}, their
 * parts {@code /.minikv-multipart/BUCKET/ID/NNNNN} (see the index's S3Multipart). Pure logic:
 * the caller lists the keys and erases what this names, parts before their upload.
 */
public final class AbandonedUploads {

    public static final String PREFIX = "/.minikv-multipart/";

    private AbandonedUploads() {}

    /**
     * @param keys      the LIVE keys under {@link #PREFIX}
     * @param begunAt   when an upload was begun (epoch ms), or 0 if that cannot be known (never old then)
     * @param before    uploads begun before this are abandoned
     * @return the keys to erase, in the order to erase them: every part before any upload
     */
    public static List<byte[]> toErase(List<byte[]> keys, ToLongFunction<byte[]> begunAt, long before) {
        Set<String> uploads = new HashSet<>();
        Set<String> old = new HashSet<>();
        for (byte[] key : keys) {
            String[] parts = segments(key);
            if (parts != null && parts.length == 2) {
                String upload = parts[0] + "/" + parts[1];
                uploads.add(upload);
                long begun = begunAt.applyAsLong(key);
                if (begun > 0 && begun < before) {
                    old.add(upload);
                }
            }
        }
        List<byte[]> partsToErase = new ArrayList<>();
        List<byte[]> uploadsToErase = new ArrayList<>();
        for (byte[] key : keys) {
            String[] parts = segments(key);
            if (parts == null) {
                continue;
            }
            String upload = parts[0] + "/" + parts[1];
            if (parts.length == 3 && (!uploads.contains(upload) || old.contains(upload))) {
                partsToErase.add(key);
            } else if (parts.length == 2 && old.contains(upload)) {
                uploadsToErase.add(key);
            }
        }
        partsToErase.addAll(uploadsToErase);
        return partsToErase;
    }

    /** The upload a part belongs to; the key itself for an upload. */
    public static byte[] uploadOf(byte[] key) {
        String[] parts = segments(key);
        return parts == null || parts.length == 2 ? key
                : (PREFIX + parts[0] + "/" + parts[1]).getBytes(StandardCharsets.UTF_8);
    }

    public static boolean isUploadKey(byte[] key) {
        return segments(key) != null;
    }

    /** BUCKET, ID and maybe NNNNN of a key under the prefix; null for any other key. */
    private static String[] segments(byte[] key) {
        String text = new String(key, StandardCharsets.UTF_8);
        if (!text.startsWith(PREFIX)) {
            return null;
        }
        String[] parts = text.substring(PREFIX.length()).split("/", -1);
        return parts.length == 2 || parts.length == 3 ? parts : null;
    }
}
