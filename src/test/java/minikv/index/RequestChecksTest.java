package minikv.index;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which Content-Length values the index takes: decimal digits whose value fits a long, nothing else. */
class RequestChecksTest {

    @Test
    void lengthsAreDecimalNumbersBelow2To63() {
        for (String good : new String[] {"0", "1", "1048576", "9223372036854775807", "0000000000000000001"}) {
            assertTrue(RequestChecks.isLength(good), good);
        }
        for (String bad : new String[] {"", "-1", "+5", "0x10", "1e3", "5 5", "9223372036854775808",
                "18446744073709551616", "99999999999999999999", "00000000000000000001"}) {
            assertFalse(RequestChecks.isLength(bad), bad);
        }
    }
}
