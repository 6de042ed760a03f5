package minikv.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import minikv.store.Record;
import org.junit.jupiter.api.Test;

class KeyFilesTest {

    private static final List<String> RANK = List.of("c:3", "a:1", "b:2");

    private static ReplicaFile live(String location) {
        return new ReplicaFile(location, false, 5);
    }

    private static ReplicaFile unlinked(String location) {
        return new ReplicaFile(location, true, 5);
    }

    @Test
    void liveFilesMakeALiveKeyInPlacementOrder() {
        KeyFiles.Reading r = KeyFiles.read(List.of(live("a:1/sv01"), live("c:3/sv04")), RANK);
        assertEquals(Record.State.LIVE, r.state());
        assertEquals(List.of("c:3/sv04", "a:1/sv01"), r.locations());
    }

    @Test
    void unlinkedNamesMakeAnUnlinkedKey() {
        KeyFiles.Reading r = KeyFiles.read(List.of(unlinked("b:2/sv00"), unlinked("a:1/sv01")), RANK);
        assertEquals(Record.State.UNLINKED, r.state());
        assertEquals(List.of("a:1/sv01", "b:2/sv00"), r.locations());
    }

    @Test
    void aMixOfNamesIsAnInterruptedUnlinkOrRelink() {
        KeyFiles.Reading r = KeyFiles.read(List.of(live("b:2/sv00"), unlinked("a:1/sv01")), RANK);
        assertEquals(Record.State.UNLINKED, r.state());
        assertEquals(List.of(unlinked("a:1/sv01"), live("b:2/sv00")), r.replicas());
    }

    @Test
    void whereBothNamesAreAtOneLocationTheStatesNameIsTheReplica() {
        KeyFiles.Reading r = KeyFiles.read(List.of(live("a:1/sv01"), unlinked("a:1/sv01")), RANK);
        assertEquals(Record.State.UNLINKED, r.state());
        assertEquals(List.of(unlinked("a:1/sv01")), r.replicas());
    }

    @Test
    void everyFileOfAKeyWithoutRecordIsAStray() {
        List<ReplicaFile> files = List.of(live("a:1/sv01"), unlinked("b:2/sv00"));
        assertEquals(files, KeyFiles.strays(null, files));
    }

    @Test
    void filesAtUnlistedLocationsOrUnderTheOtherNameAreStrays() {
        Record record = Record.live(List.of("a:1/sv01", "b:2/sv00"), null);
        List<ReplicaFile> files = List.of(live("a:1/sv01"), live("b:2/sv00"), live("c:3/sv02"), unlinked("a:1/sv01"));
        assertEquals(List.of(live("c:3/sv02"), unlinked("a:1/sv01")), KeyFiles.strays(record, files));
        Record hidden = record.withState(Record.State.UNLINKED);
        assertEquals(List.of(live("a:1/sv01"), live("b:2/sv00"), live("c:3/sv02")), KeyFiles.strays(hidden, files));
    }

    @Test
    void unsettledRecordsAreSettledWholeNotFileByFile() {
        List<ReplicaFile> files = List.of(live("c:3/sv02"));
        assertEquals(List.of(), KeyFiles.strays(Record.pending(List.of("a:1/sv01")), files));
        assertEquals(List.of(), KeyFiles.strays(Record.live(List.of("a:1/sv01"), null).withState(Record.State.DELETING), files));
    }
}
