package minikv.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RequestRatesTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void noRateBeforeTwoSamples() {
        RequestRates rates = new RequestRates(3, 1);
        assertEquals(0, rates.perSecond(0));
        rates.sample(0, new long[] {100});
        assertEquals(0, rates.perSecond(0));
    }

    @Test
    void rateIsTheChangeAcrossTheSamplesHeld() {
        RequestRates rates = new RequestRates(3, 2);
        rates.sample(0, new long[] {0, 0});
        rates.sample(5 * SECOND, new long[] {50, 5});
        assertEquals(10, rates.perSecond(0), 1e-9);
        assertEquals(1, rates.perSecond(1), 1e-9);

        rates.sample(10 * SECOND, new long[] {100, 5});
        rates.sample(15 * SECOND, new long[] {400, 5}); // the first sample is gone: 10 s window from t=5
        assertEquals(35, rates.perSecond(0), 1e-9);
        assertEquals(0, rates.perSecond(1), 1e-9);
    }
}
