package minikv.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import minikv.http.ClusterHttp;
import minikv.placement.Placement;
import minikv.store.IndexStore;
import minikv.store.Record;
import minikv.testing.FakeVolume;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repairing and moving one key, in process: the real {@link KeyDoctor}, {@link KeyMover},
 * {@link VolumeClient} and store against fake volumes. Majority rules when the record has no
 * md5, a bad source writes nothing, and a move interrupted half-way is finished by running again.
 */
class KeyRepairTest {

    private static final byte[] KEY = "/key".getBytes(StandardCharsets.UTF_8);
    private static final byte[] GOOD = "the value".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BAD = "the vAlue".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    private List<FakeVolume> volumes;
    private IndexStore store;
    private final VolumeClient client = new VolumeClient(new ClusterHttp(Duration.ofSeconds(1), Optional.empty(), 4), Duration.ofSeconds(2));

    @BeforeEach
    void start() throws IOException {
        volumes = FakeVolume.start(4);
        store = IndexStore.open(dir.resolve("db"));
    }

    @AfterEach
    void stop() throws IOException {
        store.close();
        FakeVolume.closeAll(volumes);
    }

    @Test
    void withoutAnMd5TheMajorityDecidesAndTheOddReplicaIsReplaced() {
        Placement placement = placement(3, 3);
        List<String> at = placement.locations(KEY);
        store.put(KEY, Record.live(at, null));
        place(at.get(0), GOOD);
        place(at.get(1), BAD);
        place(at.get(2), GOOD);
        KeyDoctor doctor = doctor(placement);

        assertEquals(KeyReport.Kind.DAMAGED, doctor.verify(KEY, false).kind());
        KeyReport repaired = doctor.repair(KEY, false);

        assertEquals(KeyReport.Kind.REPAIRED, repaired.kind(), repaired.detail());
        for (String location : at) {
            assertArrayEquals(GOOD, file(location), location);
        }
        assertEquals(KeyReport.Kind.OK, doctor.verify(KEY, false).kind());
    }

    @Test
    void withNoMajorityNothingIsOverwritten() {
        Placement placement = placement(3, 3);
        List<String> at = placement.locations(KEY);
        store.put(KEY, Record.live(at, null));
        place(at.get(0), GOOD);
        place(at.get(1), BAD);
        place(at.get(2), "a third".getBytes(StandardCharsets.UTF_8));

        KeyReport report = doctor(placement).repair(KEY, false);

        assertTrue(report.kind().problem(), report.toString());
        assertArrayEquals(GOOD, file(at.get(0)));
        assertArrayEquals(BAD, file(at.get(1)), "no replica is taken for the truth");
    }

    @Test
    void aBadSourceWritesNothingAndAGoodOneIsFound() {
        Placement placement = placement(3, 3);
        List<String> at = placement.locations(KEY);
        store.put(KEY, Record.live(at, Placement.md5(GOOD)));
        place(at.get(0), BAD);   // tried first as a source: its md5 is wrong
        place(at.get(2), GOOD);  // the good source
        // at.get(1) is missing

        KeyReport repaired = doctor(placement).repair(KEY, false);

        assertEquals(KeyReport.Kind.REPAIRED, repaired.kind(), repaired.detail());
        for (String location : at) {
            assertArrayEquals(GOOD, file(location), location);
        }
        String missing = ReplicaName.path(at.get(1), KEY, false);
        List<byte[]> written = volume(at.get(1)).stored(missing);
        assertEquals(1, written.size(), "the copy from the bad source was never completed");
        assertArrayEquals(GOOD, written.get(0));
    }

    /**
     * A write over an unlinked value that could not delete that value's files (a crash, or a
     * volume refusing): repair deletes them, the unlinked name where the new value is, both
     * names where it is not, and leaves the new value alone.
     */
    @Test
    void theFilesOfAnUnlinkedValueAWriteReplacedAreDeleted() {
        Placement placement = placement(4, 2);
        List<String> at = placement.locations(KEY);
        String elsewhere = volumes.stream().map(v -> v.address() + "/sv00")
                .filter(l -> at.stream().noneMatch(a -> a.startsWith(Placement.volumeOf(l)))).findFirst().orElseThrow();
        Record unlinked = Record.live(List.of(at.get(0), elsewhere), null).withState(Record.State.UNLINKED);
        store.put(KEY, Record.live(at, Placement.md5(GOOD)).withLeftover(unlinked));
        at.forEach(l -> place(l, GOOD));
        for (String l : unlinked.locations()) {
            volume(l).place(ReplicaName.path(l, KEY, true), BAD);
        }
        volume(elsewhere).place(ReplicaName.path(elsewhere, KEY, false), BAD); // an UNLINK cut short there
        KeyDoctor doctor = doctor(placement);

        assertEquals(KeyReport.Kind.DAMAGED, doctor.verify(KEY, false).kind());
        KeyReport repaired = doctor.repair(KEY, false);

        assertEquals(KeyReport.Kind.REPAIRED, repaired.kind(), repaired.detail());
        for (String l : at) {
            assertArrayEquals(GOOD, file(l), l);
        }
        for (FakeVolume v : volumes) {
            assertTrue(v.files().keySet().stream().noneMatch(p -> p.endsWith(ReplicaName.UNLINKED_SUFFIX)), v.files().keySet().toString());
        }
        assertEquals(List.of(), List.copyOf(volume(elsewhere).files().keySet()));
        assertEquals(Record.live(at, Placement.md5(GOOD)), store.get(KEY));
        assertEquals(KeyReport.Kind.OK, doctor.verify(KEY, false).kind());
    }

    /**
     * Offline, a move records the target plus the old locations before deleting the old copies;
     * if a delete fails, the record still lists the copy it left, and the next run removes it.
     */
    @Test
    void aMoveWhoseOldCopyCannotBeDeletedIsFinishedByTheNextRun() {
        Placement before = placement(3, 2);
        Placement after = placement(4, 2);
        byte[] key = aKeyThatMoves(before, after);
        List<String> old = before.locations(key);
        List<String> target = after.locations(key);
        store.put(key, Record.live(old, Placement.md5(GOOD)));
        old.forEach(l -> volume(l).place(ReplicaName.path(l, key, false), GOOD));
        String leaving = old.stream().filter(l -> !target.contains(l)).findFirst().orElseThrow();
        FakeVolume stuck = volume(leaving);
        stuck.refuse("DELETE", 500);
        KeyMover mover = new KeyMover(store, client, after, false);

        KeyReport first = mover.rebalance(key, false);

        assertTrue(first.kind().problem(), first.toString());
        List<String> listed = store.get(key).locations();
        assertTrue(listed.containsAll(target) && listed.contains(leaving), "the copy left is still listed: " + listed);
        for (String l : target) {
            assertArrayEquals(GOOD, volume(l).files().get(ReplicaName.path(l, key, false)), l);
        }

        stuck.refuse("DELETE", 0);
        KeyReport second = mover.rebalance(key, false);

        assertEquals(KeyReport.Kind.MOVED, second.kind(), second.detail());
        assertEquals(target, store.get(key).locations());
        assertEquals(0, stuck.files().size(), "the old copy is gone");
    }

    /** The first of /move0, /move1... that placement puts elsewhere once a fourth volume joins. */
    private static byte[] aKeyThatMoves(Placement before, Placement after) {
        for (int i = 0; ; i++) {
            byte[] key = ("/move" + i).getBytes(StandardCharsets.UTF_8);
            if (!after.locations(key).containsAll(before.locations(key))) {
                return key;
            }
        }
    }

    @Test
    void anUnfinishedWriteOverAnUnlinkedValueIsRolledBackToIt() {
        Placement placement = placement(3, 3);
        List<String> at = placement.locations(KEY);
        Record unlinked = Record.live(at, Placement.md5(GOOD)).withState(Record.State.UNLINKED);
        store.put(KEY, Record.pendingOver(at, unlinked));
        for (String location : at) {
            volume(location).place(ReplicaName.path(location, KEY, true), GOOD);
            volume(location).place(ReplicaName.path(location, KEY, false), BAD); // the failed write's
        }

        KeyReport repaired = doctor(placement).repair(KEY, false);

        assertEquals(KeyReport.Kind.REPAIRED, repaired.kind(), repaired.detail());
        assertEquals(unlinked, store.get(KEY));
        for (String location : at) {
            assertEquals(List.of(ReplicaName.path(location, KEY, true)), List.copyOf(volume(location).files().keySet()));
        }
    }

    private Placement placement(int volumeCount, int replicas) {
        return new Placement(volumes.subList(0, volumeCount).stream().map(FakeVolume::address).toList(), replicas, 1);
    }

    private KeyDoctor doctor(Placement placement) {
        return new KeyDoctor(store, client, new KeyMover(store, client, placement, false));
    }

    private FakeVolume volume(String location) {
        return volumes.stream().filter(v -> v.address().equals(Placement.volumeOf(location))).findFirst().orElseThrow();
    }

    private void place(String location, byte[] content) {
        volume(location).place(ReplicaName.path(location, KEY, false), content);
    }

    private byte[] file(String location) {
        return volume(location).files().get(ReplicaName.path(location, KEY, false));
    }
}
