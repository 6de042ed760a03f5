package minikv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LatenciesTest {

    @Test
    void nearestRankOfOneToHundredIsThePercentItself() {
        long[] oneToHundred = LongStream.rangeClosed(1, 100).toArray();
        assertEquals(50, Latencies.percentile(oneToHundred, 50));
        assertEquals(90, Latencies.percentile(oneToHundred, 90));
        assertEquals(99, Latencies.percentile(oneToHundred, 99));
        assertEquals(100, Latencies.percentile(oneToHundred, 100));
        assertEquals(1, Latencies.percentile(oneToHundred, 0.5));
    }

    @Test
    void percentileIsAlwaysAnObservedSample() {
        long[] sorted = {10, 20, 30, 40};
        assertEquals(20, Latencies.percentile(sorted, 50));
        assertEquals(40, Latencies.percentile(sorted, 90));
        assertEquals(7, Latencies.percentile(new long[] {7}, 99));
    }

    @Test
    void wholePercentsOfLargeCountsDoNotSufferRounding() {
        // 7 / 100.0 * 100 is 7.000000000000001 in floating point, whose ceiling would be rank 8.
        long[] oneToHundred = LongStream.rangeClosed(1, 100).toArray();
        assertEquals(7, Latencies.percentile(oneToHundred, 7));
        assertEquals(55, Latencies.percentile(oneToHundred, 55));
        assertEquals(1_700, Latencies.percentile(LongStream.rangeClosed(1, 10_000).toArray(), 17));
    }

    @Test
    void rejectsNoSamplesAndPercentsOutsideTheRange() {
        assertThrows(IllegalArgumentException.class, () -> Latencies.percentile(new long[0], 50));
        assertThrows(IllegalArgumentException.class, () -> Latencies.percentile(new long[] {1}, 0));
        assertThrows(IllegalArgumentException.class, () -> Latencies.percentile(new long[] {1}, 100.1));
    }

    @Test
    void summarySortsWhatWasRecordedInAnyOrder() {
        Latencies latencies = new Latencies("PUT", 10);
        for (long n : new long[] {5, 3, 9, 1, 7}) {
            latencies.record(n);
        }
        Latencies.Summary s = latencies.summarize();
        assertEquals(new Latencies.Summary("PUT", 5, 5, 9, 9, 9), s);
    }

    @Test
    void samplesBeyondCapacityAreDroppedNotFatal() {
        Latencies latencies = new Latencies("GET", 2);
        latencies.record(1);
        latencies.record(2);
        latencies.record(3);
        assertEquals(2, latencies.summarize().count());
        assertEquals(0, new Latencies("none", 3).summarize().count());
    }
}
