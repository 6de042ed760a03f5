package minikv.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AbandonedUploadsTest {

    private static final String P = AbandonedUploads.PREFIX;

    @Test
    void partsOfAGoneUploadAndOldUploadsGoPartsFirst() {
        Map<String, Long> begun = Map.of(P + "b/old", 1_000L, P + "b/young", 9_000L, P + "b/unknown", 0L);
        List<byte[]> keys = bytes(P + "b/gone/00001", P + "b/old", P + "b/old/00001", P + "b/old/00002",
                P + "b/unknown", P + "b/unknown/00001", P + "b/young", P + "b/young/00001", "/b/other");
        List<String> erase = AbandonedUploads.toErase(keys,
                key -> begun.getOrDefault(new String(key, StandardCharsets.UTF_8), -1L), 5_000).stream()
                .map(key -> new String(key, StandardCharsets.UTF_8)).toList();
        assertEquals(List.of(P + "b/gone/00001", P + "b/old/00001", P + "b/old/00002", P + "b/old"), erase,
                "an upload whose time is unknown is never old; keys outside the namespace are never named");
    }

    @Test
    void aPartNamesItsUpload() {
        assertArrayEquals((P + "b/id").getBytes(StandardCharsets.UTF_8),
                AbandonedUploads.uploadOf((P + "b/id/00007").getBytes(StandardCharsets.UTF_8)));
        byte[] upload = (P + "b/id").getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(upload, AbandonedUploads.uploadOf(upload));
    }

    private static List<byte[]> bytes(String... keys) {
        return java.util.Arrays.stream(keys).map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    }
}
