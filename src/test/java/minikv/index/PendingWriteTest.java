package minikv.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import minikv.store.Details;
import minikv.store.Record;
import org.junit.jupiter.api.Test;

/**
 * The record of a write under way names the size its files may reach, so that rolling it back
 * gives each replica's DELETE the time that size needs: a healthy volume that takes 2 s to
 * unlink a whole 1 GiB replica is not taken for down by the rollback of a write that failed
 * elsewhere (as it was before, with the plain --voltimeout).
 */
class PendingWriteTest {

    private static final Duration VOLTIMEOUT = Duration.ofSeconds(1);
    private static final List<String> TARGETS = List.of("a:1/sv00", "b:2/sv00", "c:3/sv00");
    private static final long GIB = 1L << 30;

    @Test
    void aNewKeysWriteGivesItsRollbackTheTimeItsSizeNeeds() {
        assertEquals(Duration.ofSeconds(3), rollbackDeadline(PutHandler.pending(null, TARGETS, false, GIB)));
    }

    @Test
    void aWriteOverAnUnlinkedValueGivesItsRollbackTheTimeTheLargerOfBothNeeds() {
        Record unlinked = Record.live(TARGETS, new byte[16]).withDetails(new Details(GIB / 2, 1, Map.of()))
                .withState(Record.State.UNLINKED);

        assertEquals(Duration.ofSeconds(3), rollbackDeadline(PutHandler.pending(unlinked, TARGETS, false, GIB)));
        assertEquals(Duration.ofSeconds(2), rollbackDeadline(PutHandler.pending(unlinked, TARGETS, false, GIB / 4)));
    }

    @Test
    void aReplaceGivesItsRollbackTheTimeItsNewValueNeeds() {
        Record live = Record.live(TARGETS, new byte[16]).withDetails(new Details(100, 1, Map.of()));

        assertEquals(Duration.ofSeconds(3), rollbackDeadline(PutHandler.pending(live, TARGETS, true, GIB)));
    }

    @Test
    void aBodyOfUnknownLengthLeavesThePlainTimeout() {
        assertEquals(VOLTIMEOUT, rollbackDeadline(PutHandler.pending(null, TARGETS, false, -1)));
    }

    /** The deadline of the rollback's deletes, from the record as the store gives it back. */
    private static Duration rollbackDeadline(Record pending) {
        byte[] stored = pending.encode();
        Record read = Record.decode(stored, stored.length);
        assertEquals(pending, read, "stored and read back whole");
        return Volumes.deleteDeadline(VOLTIMEOUT, Eraser.largestValue(read));
    }
}
