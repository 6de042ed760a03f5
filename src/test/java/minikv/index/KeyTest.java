package minikv.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeyTest {

    private static String decode(String raw) throws HttpFailure {
        Key key = Key.fromRawPath(raw);
        assertArrayEquals(key.text().getBytes(StandardCharsets.UTF_8), key.bytes());
        return key.text();
    }

    private static String refused(String raw) {
        return assertThrows(HttpFailure.class, () -> Key.fromRawPath(raw), raw).getMessage();
    }

    @Test
    void plainPathsAreTheirOwnKey() throws HttpFailure {
        assertEquals("/hello", decode("/hello"));
        assertEquals("/deep/path/to/a+b=c", decode("/deep/path/to/a+b=c"));
        assertEquals("/", decode("/"));
        assertEquals("//double//slash/", decode("//double//slash/"));
        assertEquals("/.hidden/..dots/a.", decode("/.hidden/..dots/a."));
    }

    @Test
    void escapesDecodeToUtf8AndSlashes() throws HttpFailure {
        assertEquals("/a b", decode("/a%20b"));
        assertEquals("/a?b", decode("/a%3Fb"));
        assertEquals("/a/b", decode("/a%2Fb"));
        assertEquals("/a/b", decode("/a%2fb"));
        assertEquals("/ünïcødé/日本", decode("/%C3%BCn%C3%AFc%C3%B8d%C3%A9/%E6%97%A5%E6%9C%AC"));
        assertEquals("/😀", decode("/%F0%9F%98%80"));
        assertEquals("/100%", decode("/100%25"));
    }

    @Test
    void invalidUtf8IsRefused() {
        for (String raw : new String[] {"/%FF", "/%C3", "/%C3%28", "/%C0%AF", "/%ED%A0%80", "/%F8%88%80%80%80"}) {
            assertTrue(refused(raw).contains("UTF-8"), raw);
        }
    }

    @Test
    void badEscapesNulAndDotSegmentsAreRefused() {
        assertTrue(refused("/a%2").contains("percent"));
        assertTrue(refused("/a%zz").contains("percent"));
        assertTrue(refused("/a%00b").contains("NUL"));
        for (String raw : new String[] {"/.", "/..", "/a/../b", "/a/./b", "/a/..", "/a%2F..%2Fb", "/%2E%2E/x", "/a/%2e"}) {
            assertTrue(refused(raw).contains(". or .."), raw);
        }
        assertTrue(refused("relative").contains("starting with /"));
        assertTrue(refused("/é").contains("percent-encoded"));
    }

    @Test
    void keysWhoseBase64ExceedsAFileNameAreTooLong() throws HttpFailure {
        // 189 bytes encode to 252 base64 characters, 190 to 256: one file name holds 255.
        assertFalse(Key.fromRawPath("/" + "k".repeat(188)).tooLongForAVolume());
        assertTrue(Key.fromRawPath("/" + "k".repeat(189)).tooLongForAVolume());
        // Counted in UTF-8 bytes, not characters: 63 three-byte characters plus the slash is 190.
        assertTrue(Key.fromRawPath("/" + "%E6%97%A5".repeat(63)).tooLongForAVolume());
    }

    @Test
    void keysAreWrittenOnlyIfTheirUnlinkedNameFitsAFileName() throws HttpFailure {
        // 183 bytes encode to 244 characters, 244 + ".unlinked" = 253; 184 bytes to 248 + 9 = 257.
        assertEquals(183, minikv.cluster.ReplicaName.MAX_KEY_BYTES);
        assertFalse(Key.fromRawPath("/" + "k".repeat(182)).tooLongToWrite());
        assertTrue(Key.fromRawPath("/" + "k".repeat(183)).tooLongToWrite());
        assertFalse(Key.fromRawPath("/" + "k".repeat(183)).tooLongForAVolume(), "still read and deleted");
        HttpFailure refusal = Key.fromRawPath("/" + "k".repeat(183)).tooLongToWriteFailure("PUT");
        assertEquals(414, refusal.status());
        assertTrue(refusal.getMessage().contains("184 bytes") && refusal.getMessage().contains("at most 183"),
                refusal.getMessage());
    }
}
