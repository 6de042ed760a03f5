package minikv.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import minikv.cluster.HeadersCopy;
import minikv.cluster.VolumeClient;

/**
 * The last step of {@code verify --repair}: erases each copy of an S3 object's headers (see
 * {@link HeadersCopy}) whose object has no record at all. A copy outlives its object when the
 * erase that follows the object's fails (a volume down, a crash in between), and a rebuild would
 * give it to the same bytes written to that key again. A copy that cannot be read, or names
 * another key than its own, is left to the key's own verify.
 *
 * <p>The object is looked up again just before its copy goes: the walk that listed the copies
 * may have passed a write of it. A write that lands between that look and the erase loses its
 * new copy, as a failed copy write does: a rebuild before the object's next write would then
 * miss its headers, and nothing worse.
 */
final class OrphanHeaderCopies {

    private OrphanHeaderCopies() {}

    static boolean isCopyKey(byte[] key) {
        return new String(key, StandardCharsets.UTF_8).startsWith(HeadersCopy.PREFIX);
    }

    /** Erases the copies among {@code copyKeys} whose object has no record; true if some could not be. */
    static boolean remove(Target target, VolumeClient client, List<byte[]> copyKeys) throws IOException {
        List<byte[]> orphans = new ArrayList<>();
        for (byte[] key : copyKeys) {
            if (isOrphan(target, client, key)) {
                orphans.add(key);
            }
        }
        return KeyRun.eraseEach(target, orphans, key -> isOrphan(target, client, key),
                "removing copies of S3 headers whose object is gone", "copies of S3 headers whose object is gone",
                "its object is there (again)");
    }

    private static boolean isOrphan(Target target, VolumeClient client, byte[] copyKey) throws IOException {
        HeadersCopy.Parsed copy = HeadersRestore.read(client, copyKey, target.locations(copyKey), null);
        return copy != null && Arrays.equals(HeadersCopy.keyOf(copy.objectKey()), copyKey)
                && !target.hasRecord(copy.objectKey());
    }
}
