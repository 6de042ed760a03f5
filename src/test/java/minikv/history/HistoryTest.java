package minikv.history;

import static minikv.history.History.ABSENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import minikv.history.History.Op;
import minikv.history.History.Type;
import org.junit.jupiter.api.Test;

class HistoryTest {

    private static History of(Op... ops) {
        History history = new History();
        List.of(ops).forEach(history::add);
        return history;
    }

    private static Op op(Type type, String value, long invoked, long completed, int status) {
        return new Op(0, "/k", type, value, invoked, completed, status);
    }

    @Test
    void aLegalHistoryHasNoAnomaly() {
        History history = of(
                op(Type.PUT, "a", 0, 10, 201),
                op(Type.GET, "a", 11, 12, 200),
                op(Type.PUT, "b", 13, 14, 403),
                op(Type.UNLINK, null, 15, 16, 204),
                op(Type.GET, ABSENT, 17, 18, 404),
                op(Type.RELINK, null, 19, 20, 204),
                op(Type.GET, "a", 21, 22, 200),
                op(Type.DELETE, null, 23, Long.MAX_VALUE, -1), // no answer: may have deleted it
                op(Type.GET, ABSENT, 30, 31, 404),
                op(Type.PUT, "c", 32, Long.MAX_VALUE, -1), // no answer: written or not, both reads are legal
                op(Type.GET, "c", 41, 42, 200),
                op(Type.GET, "c", 35, 36, 200)); // concurrent with its PUT
        assertEquals(List.of(), history.anomalies());
    }

    @Test
    void anAcknowledgedWriteThatReadsAbsentIsLost() {
        List<String> anomalies = of(op(Type.PUT, "a", 0, 10, 201), op(Type.GET, ABSENT, 11, 12, 404)).anomalies();
        assertEquals(1, anomalies.size());
        assertTrue(anomalies.get(0).startsWith("lost an acknowledged write"), anomalies.get(0));
    }

    @Test
    void aDeleteConcurrentWithTheReadExplainsAbsence() {
        assertEquals(List.of(), of(op(Type.PUT, "a", 0, 10, 201), op(Type.DELETE, null, 11, 20, 204),
                op(Type.GET, ABSENT, 12, 13, 404)).anomalies());
    }

    @Test
    void aValueReadAfterItsDeleteCompletedIsAnAnomaly() {
        List<String> anomalies = of(op(Type.PUT, "a", 0, 10, 201), op(Type.DELETE, null, 11, 12, 204),
                op(Type.GET, "a", 13, 14, 200)).anomalies();
        assertEquals(1, anomalies.size());
        assertTrue(anomalies.get(0).startsWith("read a deleted value"), anomalies.get(0));
    }

    @Test
    void aValueReadAfterItsUnlinkWithoutARelinkIsAnAnomaly() {
        List<String> anomalies = of(op(Type.PUT, "a", 0, 10, 201), op(Type.UNLINK, null, 11, 12, 204),
                op(Type.GET, "a", 13, 14, 200)).anomalies();
        assertEquals(1, anomalies.size());
        assertTrue(anomalies.get(0).startsWith("read an unlinked value"), anomalies.get(0));
    }

    @Test
    void aRelinkSentJustBeforeAnUnlinkMayBeServedAfterIt() {
        assertEquals(List.of(), of(op(Type.PUT, "a", 0, 10, 201), op(Type.RELINK, null, 11, 18, 204),
                op(Type.UNLINK, null, 12, 14, 204), op(Type.GET, "a", 19, 20, 200)).anomalies());
    }

    @Test
    void theValueOfAFailedPutIsNeverRead() {
        List<String> anomalies = of(op(Type.PUT, "a", 0, 10, 503), op(Type.GET, "a", 5, 12, 200)).anomalies();
        assertEquals(1, anomalies.size());
        assertTrue(anomalies.get(0).startsWith("read the value of a PUT that failed"), anomalies.get(0));
    }

    @Test
    void aValueNoPutSentIsAnAnomaly() {
        List<String> anomalies = of(op(Type.PUT, "a", 0, 10, 201), op(Type.GET, "z", 11, 12, 200)).anomalies();
        assertTrue(anomalies.get(0).startsWith("read a value never written"), anomalies.get(0));
    }
}
