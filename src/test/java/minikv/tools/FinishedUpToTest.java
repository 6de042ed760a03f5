package minikv.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import minikv.cluster.KeyReport.Kind;
import minikv.store.Record.State;
import minikv.tools.FinishedUpTo.Saved;
import minikv.tools.FinishedUpTo.Slot;
import org.junit.jupiter.api.Test;

class FinishedUpToTest {

    private static byte[] key(String k) {
        return k.getBytes(StandardCharsets.UTF_8);
    }

    private static FinishedUpTo fresh(int maxHeld) {
        return new FinishedUpTo(new Saved(null, new KeyRun.Tally()), maxHeld);
    }

    @Test
    void aKeyFinishedAheadOfAnUnfinishedOneIsNotClaimed() throws Exception {
        FinishedUpTo finished = fresh(100);
        Slot a = finished.started(State.LIVE, key("/a"));
        Slot b = finished.started(State.LIVE, key("/b"));
        Slot c = finished.started(State.LIVE, key("/c"));
        finished.finished(b, Kind.OK);
        finished.finished(c, Kind.DAMAGED);
        assertNull(finished.saved().position(), "/a is not done: nothing may be claimed");
        assertEquals(0, finished.saved().tally().total());

        finished.finished(a, Kind.OK);
        Saved saved = finished.saved();
        assertArrayEquals(key("/c"), saved.position().key());
        assertEquals(State.LIVE, saved.position().state());
        assertEquals(2, saved.tally().get(Kind.OK));
        assertEquals(1, saved.tally().get(Kind.DAMAGED));
    }

    @Test
    void aResumedWalkContinuesTheEarlierTallyAndPosition() throws Exception {
        KeyRun.Tally before = new KeyRun.Tally();
        before.add(Kind.OK, 10);
        before.add(Kind.FAILED, 2);
        FinishedUpTo finished = new FinishedUpTo(new Saved(new FinishedUpTo.Position(State.LIVE, key("/k")), before), 100);
        assertArrayEquals(key("/k"), finished.saved().position().key(), "nothing new done: still where it stopped");
        finished.finished(finished.started(State.UNLINKED, key("/u")), Kind.OK);
        Saved saved = finished.saved();
        assertEquals(State.UNLINKED, saved.position().state());
        assertEquals(11, saved.tally().get(Kind.OK));
        assertEquals(2, saved.tally().get(Kind.FAILED));
        assertEquals(10, before.get(Kind.OK), "the earlier tally itself is not changed");
    }

    @Test
    void aStuckKeyHoldsBackAtMostMaxHeldKeys() throws Exception {
        FinishedUpTo finished = fresh(3);
        Slot stuck = finished.started(State.LIVE, key("/1"));
        finished.finished(finished.started(State.LIVE, key("/2")), Kind.OK);
        finished.finished(finished.started(State.LIVE, key("/3")), Kind.OK);
        CompletableFuture<Slot> fourth = CompletableFuture.supplyAsync(() -> {
            try {
                return finished.started(State.LIVE, key("/4"));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThrows(TimeoutException.class, () -> fourth.get(300, TimeUnit.MILLISECONDS), "three keys held: the walk waits");
        finished.finished(stuck, Kind.OK);
        fourth.get(5, TimeUnit.SECONDS);
        assertArrayEquals(key("/3"), finished.saved().position().key());
        assertEquals(3, finished.saved().tally().total());
    }

    @Test
    void anAbandonedKeyStopsTheWalkThere() throws Exception {
        FinishedUpTo finished = fresh(100);
        finished.finished(finished.started(State.LIVE, key("/1")), Kind.OK);
        finished.started(State.LIVE, key("/2"));
        finished.abandon();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> finished.started(State.LIVE, key("/3")));
        assertTrue(e.getMessage().contains("failed"), e.getMessage());
        assertArrayEquals(key("/1"), finished.saved().position().key());
    }
}
