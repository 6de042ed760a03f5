package minikv.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import minikv.store.Record.State;
import org.junit.jupiter.api.Test;

class RecordTest {

    private static final List<String> LOCATIONS = List.of("127.0.0.1:3001/sv03", "127.0.0.1:3002/sv07", "vol-ü:3003");
    private static final byte[] MD5 = HexFormat.of().parseHex("5d41402abc4b2a76b9719d911017c592");

    private static Record roundTrip(Record r) {
        byte[] bytes = r.encode();
        byte[] padded = Arrays.copyOf(bytes, bytes.length + 7); // decode honours the length it is given
        return Record.decode(padded, bytes.length);
    }

    @Test
    void everyStateRoundTripsWithAndWithoutMd5() {
        for (State state : State.values()) {
            Record withMd5 = Record.live(LOCATIONS, MD5).withState(state);
            Record without = Record.live(LOCATIONS, null).withState(state);
            assertEquals(withMd5, roundTrip(withMd5));
            assertEquals(without, roundTrip(without));
            assertEquals(state, Record.stateOf(withMd5.encode(), 2));
        }
        assertEquals("5d41402abc4b2a76b9719d911017c592", roundTrip(Record.live(LOCATIONS, MD5)).md5Hex());
        assertNull(roundTrip(Record.pending(LOCATIONS)).md5Hex());
    }

    @Test
    void encodingIsCompactAndVersioned() {
        byte[] bytes = Record.live(List.of("a:1"), MD5).encode();
        assertEquals(1 + 1 + 1 + 16 + 1 + 2 + 3, bytes.length);
        assertEquals(Record.VERSION, bytes[0]);
    }

    @Test
    void garbageIsRejected() {
        byte[] good = Record.live(LOCATIONS, MD5).encode();
        List<byte[]> bad = List.of(
                new byte[0],
                new byte[] {1},
                new byte[] {9, 2, 0, 1, 0, 1, 'a'},              // unknown version
                new byte[] {1, 7, 0, 1, 0, 1, 'a'},              // unknown state
                new byte[] {1, 2, 5, 1, 2, 3, 4, 5, 1, 0, 1, 'a'}, // md5 of 5 bytes
                new byte[] {1, 2, 0, 0},                         // no location
                new byte[] {1, 2, 0, 1, 0, 2, (byte) 0xc3, 0x28}, // location not UTF-8
                Arrays.copyOf(good, good.length - 1),            // truncated
                Arrays.copyOf(good, good.length + 1));           // trailing byte
        for (byte[] b : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Record.decode(b, b.length),
                    () -> "accepted " + Arrays.toString(b));
            assertTrue(e.getMessage().startsWith("corrupt record"), e.getMessage());
        }
    }

    @Test
    void aWriteOverAnUnlinkedValueCarriesItsRecord() {
        Record unlinked = Record.live(LOCATIONS, MD5).withState(State.UNLINKED);
        Record pending = Record.pendingOver(List.of("127.0.0.1:3004"), unlinked);

        Record back = roundTrip(pending);
        assertEquals(pending, back);
        assertEquals(unlinked, back.replacing());
        assertEquals(State.PENDING, Record.stateOf(pending.encode(), 2), "listings still read the state alone");
        assertEquals(Record.VERSION_REPLACING, pending.encode()[0]);
        assertNull(pending.withState(State.DELETING).replacing(), "only a pending write replaces");
        assertNull(roundTrip(Record.pending(LOCATIONS)).replacing());
        assertEquals(Record.VERSION, Record.pending(LOCATIONS).encode()[0], "records without one stay version 1");
    }

    @Test
    void aLiveRecordWrittenOverAnUnlinkedValueCarriesItUntilItsFilesAreGone() {
        Record unlinked = Record.live(LOCATIONS, MD5).withState(State.UNLINKED);
        Record live = Record.live(List.of("127.0.0.1:3004"), null).withDetails(new Details(3, 4, Map.of()));
        Record written = live.withLeftover(unlinked);

        assertEquals(written, roundTrip(written));
        assertEquals(unlinked, roundTrip(written).replacing());
        assertTrue(written.unsettled());
        assertEquals(State.LIVE, Record.stateOf(written.encode(), 2), "served and listed as LIVE meanwhile");
        assertEquals(live, written.withState(State.LIVE), "withState drops it");
        assertTrue(!written.withState(State.LIVE).unsettled());
        assertThrows(IllegalArgumentException.class, () -> unlinked.withLeftover(unlinked));
        assertThrows(IllegalArgumentException.class, () -> live.withLeftover(live), "only an unlinked value is left over");
    }

    @Test
    void aReplacedRecordMustBeAnUnlinkedOneUnderAPendingOrLiveOne() {
        byte[] live = Record.live(List.of("a:1"), null).encode();
        byte[] pending = Record.pending(List.of("b:2")).encode();
        byte[] unlinked = Record.live(List.of("c:3"), null).withState(State.UNLINKED).encode();
        byte[] deleting = Record.pending(List.of("d:4")).withState(State.DELETING).encode();
        List<byte[][]> bad = List.of(new byte[][] {live, live}, new byte[][] {pending, live},
                new byte[][] {unlinked, unlinked}, new byte[][] {deleting, unlinked}); // {outer, replaced}
        for (byte[][] pair : bad) {
            byte[] b = Arrays.copyOf(pair[0], pair[0].length + pair[1].length);
            b[0] = Record.VERSION_REPLACING;
            System.arraycopy(pair[1], 0, b, pair[0].length, pair[1].length);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Record.decode(b, b.length));
            assertTrue(e.getMessage().startsWith("corrupt record"), e.getMessage());
        }
        byte[] good = Arrays.copyOf(live, live.length + unlinked.length);
        good[0] = Record.VERSION_REPLACING;
        System.arraycopy(unlinked, 0, good, live.length, unlinked.length);
        assertEquals(State.UNLINKED, Record.decode(good, good.length).replacing().state(), "a LIVE one with a leftover");
    }

    @Test
    void aRecordThatKnowsItsValueKeepsSizeTimeAndHeadersAcrossChanges() {
        Details details = new Details(12345, 1_780_000_000_123L, Map.of("content-type", "text/plain",
                "x-amz-meta-owner", "zoë"));
        Record live = Record.live(LOCATIONS, MD5).withDetails(details);
        assertEquals(Record.VERSION_DETAILS, live.encode()[0]);
        assertEquals(live, roundTrip(live));
        assertEquals(details, roundTrip(live).details());
        assertEquals(details, roundTrip(live.withState(State.UNLINKED)).details(), "an unlink keeps them");
        assertEquals(details, roundTrip(live.withLocations(List.of("b:2"))).details(), "a move keeps them");
        assertEquals(State.UNLINKED, Record.stateOf(live.withState(State.UNLINKED).encode(), 2));

        Record over = Record.pendingOver(List.of("c:3"), live.withState(State.UNLINKED)).withDetails(details);
        assertEquals(over, roundTrip(over));
        assertEquals(details, roundTrip(over).replacing().details());
        assertEquals(Details.UNKNOWN, roundTrip(Record.live(LOCATIONS, MD5)).details(), "version 1 knows none");
    }

    @Test
    void aRenamingRecordKeepsEverythingButItsStateAndIsUnsettled() {
        Record live = Record.live(LOCATIONS, MD5).withDetails(new Details(5, 1, Map.of("content-type", "a/b")));
        Record renaming = roundTrip(live.withState(State.RENAMING));
        assertEquals(State.RENAMING, renaming.state());
        assertTrue(renaming.unsettled());
        assertEquals(live, renaming.withState(State.LIVE), "md5, locations and details kept");
        assertEquals(State.RENAMING, Record.stateOf(live.withState(State.RENAMING).encode(), 2));
    }

    @Test
    void aLiveRecordCarriesTheNextRecordOfAReplace() {
        Record old = Record.live(LOCATIONS, MD5).withDetails(new Details(5, 1, Map.of()));
        Record next = Record.live(LOCATIONS, null).withDetails(new Details(7, 2, Map.of("content-type", "a/b")));
        for (boolean complete : new boolean[] {false, true}) {
            Record replacing = old.withNext(next, complete);
            Record back = roundTrip(replacing);
            assertEquals(replacing, back);
            assertEquals(next, back.next());
            assertEquals(complete, back.nextComplete());
            assertTrue(back.unsettled());
            assertEquals(State.LIVE, Record.stateOf(replacing.encode(), 2), "served and listed as LIVE meanwhile");
        }
        assertTrue(!old.unsettled() && roundTrip(Record.live(LOCATIONS, MD5).withNext(Record.live(LOCATIONS, MD5), false))
                .next() != null, "even without details, a replace is version 3");
        assertEquals(old, old.withNext(next, true).withState(State.LIVE), "withState drops it");
        assertThrows(IllegalArgumentException.class, () -> old.withNext(Record.live(List.of("elsewhere:1"), null), false));
        assertThrows(IllegalArgumentException.class, () -> old.withState(State.UNLINKED).withNext(next, false));
    }

    @Test
    void aTruncatedOrBadDetailedRecordIsRejected() {
        byte[] good = Record.live(LOCATIONS, MD5).withDetails(new Details(1, 2, Map.of("a", "b"))).encode();
        byte[] badFlag = good.clone();
        badFlag[badFlag.length - 1] = 7;
        for (byte[] b : List.of(Arrays.copyOf(good, good.length - 1), Arrays.copyOf(good, good.length + 1), badFlag)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Record.decode(b, b.length));
            assertTrue(e.getMessage().startsWith("corrupt record"), e.getMessage());
        }
    }

    @Test
    void recordsAreImmutable() {
        byte[] md5 = MD5.clone();
        Record r = Record.live(LOCATIONS, md5);
        md5[0] = 0;
        assertArrayEquals(Record.live(LOCATIONS, MD5).encode(), r.encode());
        assertThrows(UnsupportedOperationException.class, () -> r.locations().add("x"));
    }
}
