package minikv.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Fixed vectors from minikeyvalue: a mismatch here means we cannot adopt its clusters. */
class PlacementTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void pathMatchesMinikeyvalue() {
        assertEquals("/5d/41/aGVsbG8=", Placement.path(b("hello")));
        assertEquals("/fc/5e/aGVsbG93b3JsZA==", Placement.path(b("helloworld")));
    }

    @Test
    void base64WithSlashMakesANestedName() {
        assertTrue(Placement.path(b("/a?b")).endsWith("/L2E/Yg=="));
    }

    @Test
    void volumesAndSubvolumesMatchMinikeyvalue() {
        Placement p = new Placement(List.of("larry", "moe", "curly"), 1, 3);
        assertEquals(List.of("larry/sv00"), p.locations(b("hello")));
        assertEquals(List.of("curly/sv01"), p.locations(b("helloworld")));
        assertEquals(List.of("moe/sv02"), p.locations(b("world")));
        assertEquals(List.of("curly/sv01"), p.locations(b("blah")));
    }

    @Test
    void orderOfTheVolumeListDoesNotMatter() {
        Placement a = new Placement(List.of("larry", "moe", "curly"), 3, 10);
        Placement b = new Placement(List.of("curly", "larry", "moe"), 3, 10);
        for (String k : List.of("hello", "world", "x", "/deep/path/key")) {
            assertEquals(a.locations(b(k)), b.locations(b(k)));
        }
    }

    @Test
    void replicasAreDistinctVolumesAndOneSubvolumeMeansNoLevel() {
        Placement p = new Placement(List.of("a:1", "b:2", "c:3"), 3, 1);
        List<String> locations = p.locations(b("hello"));
        assertEquals(3, locations.stream().distinct().count());
        assertFalse(locations.get(0).contains("/sv"));
        assertEquals(p.volumesFor(b("hello")), locations);
    }

    @Test
    void replicaPathJoinsSubvolumeAndKeyPath() {
        assertEquals("/sv00/5d/41/aGVsbG8=", Placement.replicaPath("larry/sv00", b("hello")));
        assertEquals("/5d/41/aGVsbG8=", Placement.replicaPath("larry", b("hello")));
        assertEquals("larry", Placement.volumeOf("larry/sv00"));
    }

    @Test
    void addingAVolumeMovesOnlyAShareOfKeys() {
        Placement four = new Placement(List.of("v1", "v2", "v3", "v4"), 1, 1);
        Placement five = new Placement(List.of("v1", "v2", "v3", "v4", "v5"), 1, 1);
        int moved = 0;
        for (int i = 0; i < 10_000; i++) {
            byte[] k = b("key" + i);
            if (!four.locations(k).equals(five.locations(k))) {
                moved++;
                assertEquals(List.of("v5"), five.locations(k), "a key may only move to the new volume");
            }
        }
        assertTrue(moved > 1500 && moved < 2500, "about a fifth should move, moved " + moved);
    }

    @Test
    void badSettingsAreRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Placement(List.of("a", "b"), 3, 10));
        assertTrue(e.getMessage().contains("--replicas 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Placement(List.of(), 1, 10));
        assertThrows(IllegalArgumentException.class, () -> new Placement(List.of("a", "a"), 1, 10));
    }

    @Test
    void nameLengthLimit() {
        assertFalse(Placement.nameTooLong(new byte[189]));
        assertTrue(Placement.nameTooLong(new byte[190]));
    }

    /** Exactly the keys whose base64 ends in '/', checked against the encoder itself. */
    @Test
    void nameEndingInASlash() {
        assertTrue(Placement.nameEndsInSlash("/a?".getBytes(StandardCharsets.UTF_8))); // L2E/
        assertTrue(Placement.nameEndsInSlash("/abc\u00bf".getBytes(StandardCharsets.UTF_8))); // ends in 0xBF
        Random random = new Random(5);
        for (int i = 0; i < 10_000; i++) {
            byte[] key = new byte[1 + random.nextInt(12)];
            random.nextBytes(key);
            assertEquals(Base64.getEncoder().encodeToString(key).endsWith("/"), Placement.nameEndsInSlash(key),
                    Base64.getEncoder().encodeToString(key));
        }
    }
}
