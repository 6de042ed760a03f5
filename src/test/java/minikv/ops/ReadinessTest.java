package minikv.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReadinessTest {

    @Test
    void readyWithEveryVolumeUp() {
        Readiness r = Readiness.assess(true, true, List.of(), 3, 3);
        assertTrue(r.ready());
        assertEquals("ready: 3 of 3 volumes up, 3 needed", r.reason());
    }

    @Test
    void stillReadyWithEnoughVolumesForAWrite() {
        Readiness r = Readiness.assess(true, true, List.of("v3:3"), 3, 2);
        assertTrue(r.ready());
        assertEquals("ready: 2 of 3 volumes up, 2 needed (down: v3:3)", r.reason());
    }

    @Test
    void notReadyWithTooFewVolumesNamingTheDownOnes() {
        Readiness r = Readiness.assess(true, true, List.of("v1:1", "v3:3"), 3, 2);
        assertFalse(r.ready());
        assertEquals("not ready: 1 of 3 volumes up, 2 needed to write a value (down: v1:1, v3:3)", r.reason());
    }

    @Test
    void notReadyWhileShuttingDown() {
        Readiness r = Readiness.assess(false, true, List.of(), 3, 3);
        assertFalse(r.ready());
        assertEquals("not ready: the index is shutting down", r.reason());
    }

    @Test
    void notReadyWhileItsDatabaseCannotBeWritten() {
        Readiness r = Readiness.assess(true, false, List.of(), 3, 3);
        assertFalse(r.ready());
        assertEquals("not ready: the index database cannot be reached", r.reason());
    }
}
