package minikv.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class VolumesTest {

    private static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void aDeleteMayTakeLongerTheLargerItsFile() {
        assertEquals(SECOND, Volumes.deleteDeadline(SECOND, -1), "size unknown");
        assertEquals(SECOND, Volumes.deleteDeadline(SECOND, 0));
        assertEquals(Duration.ofMillis(1001), Volumes.deleteDeadline(SECOND, 100), "a small value: about --voltimeout");
        assertEquals(Duration.ofSeconds(3), Volumes.deleteDeadline(SECOND, 1L << 30));
        assertEquals(Duration.ofMillis(1200), Volumes.deleteDeadline(Duration.ofMillis(200), 1L << 29));
        assertEquals(Duration.ofSeconds(1 + 20_480), Volumes.deleteDeadline(SECOND, 10L << 40), "10 TiB, no overflow");
    }
}
