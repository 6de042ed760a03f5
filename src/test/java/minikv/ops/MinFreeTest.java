package minikv.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import minikv.cluster.DiskStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MinFreeTest {

    private static final long GIB = 1L << 30;

    @Test
    void aSizeIsTheSameOnEveryDisk() {
        MinFree minFree = MinFree.parse("1GiB");
        assertEquals(GIB, minFree.bytesFor(10 * GIB));
        assertEquals(GIB, minFree.bytesFor(1000 * GIB));
    }

    @Test
    void aPercentageScalesWithTheDisk() {
        MinFree minFree = MinFree.parse("5%");
        assertEquals(5 * GIB, minFree.bytesFor(100 * GIB));
        assertEquals(50 * GIB, minFree.bytesFor(1000 * GIB));
    }

    @ParameterizedTest
    @ValueSource(strings = {"101%", "-1%", "x%", "%", "lots"})
    void refusesWhatIsNeitherSizeNorPercentage(String text) {
        assertThrows(IllegalArgumentException.class, () -> MinFree.parse(text));
    }

    @Test
    void aVolumeWithRoomToSpareTakesTheValue() {
        assertNull(MinFree.parse("1GiB").refusal("v:1", disk(100 * GIB, 10 * GIB), GIB));
    }

    @Test
    void aValueThatWouldEatIntoTheReserveIsRefusedNamingTheVolume() {
        String refusal = MinFree.parse("1GiB").refusal("127.0.0.1:3001", disk(100 * GIB, 2 * GIB), GIB + 1);

        assertEquals("volume 127.0.0.1:3001 has 2.0 GiB free; this value (1.0 GiB) would leave less than --min-free 1GiB",
                refusal);
    }

    @Test
    void aVolumeAlreadyBelowTheReserveRefusesEvenABodyOfUnknownLength() {
        String refusal = MinFree.parse("10%").refusal("v:1", disk(100 * GIB, 5 * GIB), -1);

        assertTrue(refusal.contains("a write would leave less than --min-free 10% (10.0 GiB)"), refusal);
    }

    @Test
    void anUnknownDiskIsNoReasonToRefuse() {
        assertNull(MinFree.parse("1PiB").refusal("v:1", null, GIB));
    }

    @Test
    void zeroTurnsTheGuardOff() {
        assertNull(MinFree.parse("0").refusal("v:1", disk(GIB, 0), -1));
    }

    private static DiskStatus disk(long total, long free) {
        return new DiskStatus(Instant.EPOCH, total, free, total - free);
    }
}
