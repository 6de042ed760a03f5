package minikv.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DiskStatusTest {

    private static final DiskStatus STATUS = new DiskStatus(Instant.parse("2026-11-23T10:15:02.123Z"),
            500_107_862_016L, 73_014_444_032L, 427_093_417_984L);

    @Test
    void encodesAsTheDocumentedJson() {
        assertEquals("{\"format\":1,\"time\":\"2026-11-23T10:15:02.123Z\",\"total_bytes\":500107862016,"
                + "\"free_bytes\":73014444032,\"used_bytes\":427093417984}\n", new String(STATUS.toJson(), StandardCharsets.UTF_8));
    }

    @Test
    void decodesWhatItEncodes() {
        assertEquals(STATUS, DiskStatus.fromJson(STATUS.toJson()));
    }

    @Test
    void fieldsALaterFormatAddsAreIgnored() {
        String json = "{\"format\":1,\"inodes\":{\"free\":5,\"total\":9},\"time\":\"2026-11-23T10:15:02.123Z\","
                + "\"total_bytes\":10,\"free_bytes\":4,\"used_bytes\":6,\"labels\":[\"ssd\"]}";

        assertEquals(new DiskStatus(Instant.parse("2026-11-23T10:15:02.123Z"), 10, 4, 6), parse(json));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "[]", "not json", "{\"format\":1", // not a JSON object
        "{\"time\":\"2026-11-23T10:15:02Z\",\"total_bytes\":1,\"free_bytes\":1,\"used_bytes\":0}", // no format
        "{\"format\":2,\"time\":\"2026-11-23T10:15:02Z\",\"total_bytes\":1,\"free_bytes\":1,\"used_bytes\":0}",
        "{\"format\":1,\"total_bytes\":1,\"free_bytes\":1,\"used_bytes\":0}", // no time
        "{\"format\":1,\"time\":\"yesterday\",\"total_bytes\":1,\"free_bytes\":1,\"used_bytes\":0}",
        "{\"format\":1,\"time\":\"2026-11-23T10:15:02Z\",\"total_bytes\":\"1\",\"free_bytes\":1,\"used_bytes\":0}",
        "{\"format\":1,\"time\":\"2026-11-23T10:15:02Z\",\"total_bytes\":1.5,\"free_bytes\":1,\"used_bytes\":0}",
        "{\"format\":1,\"time\":\"2026-11-23T10:15:02Z\",\"total_bytes\":1,\"used_bytes\":0}", // no free_bytes
        "{\"format\":1,\"time\":\"2026-11-23T10:15:02Z\",\"total_bytes\":1,\"free_bytes\":-1,\"used_bytes\":0}"})
    void anythingElseIsRefusedWithAReason(String json) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> parse(json));
        assertTrue(refused.getMessage() != null && !refused.getMessage().isBlank());
    }

    private static DiskStatus parse(String json) {
        return DiskStatus.fromJson(json.getBytes(StandardCharsets.UTF_8));
    }
}
