package minikv.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import minikv.placement.Placement;
import org.junit.jupiter.api.Test;

class ReplicaNameTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The bucket a key's md5 puts it in, and its name below that bucket directory. */
    private static int bucketOf(String key) {
        byte[] md5 = Placement.md5(bytes(key));
        return (md5[0] & 0xff) << 8 | (md5[1] & 0xff);
    }

    private static String relativeName(String key) {
        return Placement.path(key).substring("/aa/bb/".length());
    }

    @Test
    void aPlainNameDecodesToItsKey() {
        ReplicaName.Decoded d = ReplicaName.decode(bucketOf("/hello"), relativeName("/hello"));
        assertArrayEquals(bytes("/hello"), d.key());
        assertFalse(d.unlinked());
    }

    @Test
    void aNestedNameJoinsItsDirectoriesWithSlashes() {
        // "/a?b" is L2E/Yg== in base64: nginx stores Yg== inside a directory L2E.
        assertEquals("L2E/Yg==", relativeName("/a?b"));
        ReplicaName.Decoded d = ReplicaName.decode(bucketOf("/a?b"), "L2E/Yg==");
        assertArrayEquals(bytes("/a?b"), d.key());
    }

    @Test
    void aDirectoryNameAloneIsNotAKey() {
        // "L2E" is not padded base64 of anything; and even valid base64 is a key only in its own bucket.
        assertNull(ReplicaName.decode(bucketOf("/a?b"), "L2E"));
        String other = relativeName("/abc"); // valid base64, wrong bucket
        int wrongBucket = (bucketOf("/abc") + 1) % ReplicaName.BUCKETS;
        assertNull(ReplicaName.decode(wrongBucket, other));
    }

    @Test
    void theUnlinkedSuffixIsRecognised() {
        ReplicaName.Decoded d = ReplicaName.decode(bucketOf("/a?b"), "L2E/Yg==.unlinked");
        assertArrayEquals(bytes("/a?b"), d.key());
        assertTrue(d.unlinked());
        assertEquals("/sv03" + Placement.path("/a?b") + ".unlinked", ReplicaName.path("h:1/sv03", bytes("/a?b"), true));
        assertEquals("http://h:1/sv03" + Placement.path("/a?b"), ReplicaName.url("h:1/sv03", bytes("/a?b"), false));
    }

    @Test
    void nonCanonicalOrForeignNamesAreNotKeys() {
        int bucket = bucketOf("/hello");
        assertNull(ReplicaName.decode(bucket, ""));
        assertNull(ReplicaName.decode(bucket, "lost+found"));
        assertNull(ReplicaName.decode(bucket, "aGVsbG8")); // unpadded
        assertNull(ReplicaName.decode(bucket, "L2hlbGxv.tmp"));
        assertNull(ReplicaName.decode(bucket, "L2hlbGxv.unlinked.unlinked"));
        // "L2hlbGxw" and "L2hlbGx=" style tricks: non-zero padding bits decode but are not canonical.
        assertNull(ReplicaName.decode(bucketOf("/a"), "L2F="));
        assertEquals("L2E=", relativeName("/a"));
        assertArrayEquals(bytes("/a"), ReplicaName.decode(bucketOf("/a"), "L2E=").key());
    }

    @Test
    void bucketDirectories() {
        assertEquals("00/00", ReplicaName.bucketDir(0));
        assertEquals("5d/41", ReplicaName.bucketDir(0x5d41));
        assertEquals("ff/ff", ReplicaName.bucketDir(0xffff));
    }
}
