package minikv.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HistogramTest {

    @Test
    void countsAreCumulativeAndABoundIsInclusive() {
        Histogram h = new Histogram(new double[] {0.001, 0.01, 0.1});
        h.observe(500_000); // 0.5 ms
        h.observe(1_000_000); // exactly 1 ms: le="0.001"
        h.observe(50_000_000); // 50 ms
        h.observe(2_000_000_000); // 2 s: only +Inf

        Histogram.Snapshot s = h.snapshot();

        assertArrayEquals(new long[] {2, 2, 3, 4}, s.cumulativeCounts());
        assertEquals(4, s.count());
        assertEquals(2.0515, s.sumSeconds(), 1e-9);
    }

    @Test
    void boundsMustIncrease() {
        assertThrows(IllegalArgumentException.class, () -> new Histogram(new double[] {0.1, 0.1}));
    }
}
