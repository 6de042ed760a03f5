package minikv.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AccessLogTest {

    private static final long T = Instant.parse("2026-11-18T08:26:40.123Z").toEpochMilli();

    @Test
    void aLineSaysWhatHappenedToTheRequest() {
        AccessLog.Entry get = new AccessLog.Entry(T, "GET", "/we%20have", 302, 0, 0, 213_456, "127.0.0.1:3001");

        assertEquals("2026-11-18T08:26:40.123Z GET /we%20have 302 in=0 out=0 ms=0.213 volume=127.0.0.1:3001",
                AccessLog.format(get));
    }

    @Test
    void linesAreWrittenInOrderAndAllFlushedOnClose() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (AccessLog log = new AccessLog(out)) {
            log.add(new AccessLog.Entry(T, "PUT", "/a", 201, 7, 0, 3_000_000, "v1:1,v2:2"));
            log.add(new AccessLog.Entry(T, "GET", "/?list", 200, 0, 30, 1_000_000, "-"));
        }

        assertEquals("""
                2026-11-18T08:26:40.123Z PUT /a 201 in=7 out=0 ms=3.000 volume=v1:1,v2:2
                2026-11-18T08:26:40.123Z GET /?list 200 in=0 out=30 ms=1.000 volume=-
                """, out.toString(StandardCharsets.UTF_8));
    }
}
