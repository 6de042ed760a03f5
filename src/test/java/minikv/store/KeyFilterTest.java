package minikv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The filter that lets a lookup of a missing key skip the database. */
class KeyFilterTest {

    @Test
    void everyKeyAddedMightBeHeldAndAnEmptyFilterHoldsNothing() {
        KeyFilter filter = KeyFilter.forKeys(0);
        assertFalse(filter.mightHold(b("/hello")));
        assertFalse(filter.mightHold(b("")));

        for (int i = 0; i < 200_000; i++) {
            filter.add(b("/key/" + i));
        }
        for (int i = 0; i < 200_000; i++) {
            assertTrue(filter.mightHold(b("/key/" + i)), "/key/" + i);
        }
    }

    /** The point of it: at the size it was made for, about 99% of missing keys skip the lookup. */
    @Test
    void atItsCapacityFewMissingKeysPassForHeld() {
        KeyFilter filter = KeyFilter.forKeys(KeyFilter.MIN_CAPACITY / 2); // sized for MIN_CAPACITY keys
        for (int i = 0; i < KeyFilter.MIN_CAPACITY; i++) {
            filter.add(b("/held/" + i));
        }
        int passed = 0;
        int tried = 100_000;
        for (int i = 0; i < tried; i++) {
            if (filter.mightHold(b("/missing/" + i))) {
                passed++;
            }
        }
        assertTrue(passed < tried * 0.02, passed + " of " + tried + " missing keys passed for held");
    }

    @Test
    void aPrefixOfABufferIsTheSameKeyAsThatKeyAlone() {
        KeyFilter filter = KeyFilter.forKeys(0);
        filter.add("/a-key-and-garbage".getBytes(StandardCharsets.UTF_8), "/a-key".length());

        assertTrue(filter.mightHold(b("/a-key")));
        assertEquals(KeyFilter.hash(b("/a-key"), 6), KeyFilter.hash(b("/a-key-and-garbage"), 6));
    }

    @Test
    void aFilterStillFillingHoldsEveryKeyUntilFilled() {
        KeyFilter filter = KeyFilter.toFill(0);
        filter.add(b("/added"));

        assertTrue(filter.mightHold(b("/never-added")), "a key the filling scan may not have reached yet");
        filter.filled();
        assertFalse(filter.mightHold(b("/never-added")));
        assertTrue(filter.mightHold(b("/added")));
    }

    @Test
    void sizedForTwiceTheKeysWithinItsMemoryBound() {
        assertEquals(KeyFilter.MIN_CAPACITY * 10 / 8, KeyFilter.forKeys(1000).bytes(), "a small index");
        assertEquals(3_000_000L * 2 * 10 / 8, KeyFilter.forKeys(3_000_000).bytes());
        assertEquals(KeyFilter.MAX_BITS / 8, KeyFilter.forKeys(10_000_000_000L).bytes(), "ten billion keys");
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
