package minikv.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MovePlanTest {

    @Test
    void aBalancedKeyNeedsNothing() {
        MovePlan plan = MovePlan.of(List.of("a/sv01", "b/sv02"), List.of("a/sv01", "b/sv02"));
        assertTrue(plan.balanced());
        assertEquals(List.of(), plan.adds());
        assertEquals(List.of(), plan.deletes());
    }

    @Test
    void aNewVolumeGetsACopyAndTheVolumeItDisplacesLosesOne() {
        MovePlan plan = MovePlan.of(List.of("a/sv01", "b/sv02"), List.of("e/sv00", "a/sv01"));
        assertFalse(plan.balanced());
        assertEquals(List.of("e/sv00"), plan.adds());
        assertEquals(List.of("b/sv02"), plan.deletes());
        assertEquals(List.of("e/sv00", "a/sv01", "b/sv02"), plan.union());
        assertEquals("copy to e/sv00; delete from b/sv02", plan.describe());
    }

    @Test
    void aRemovedVolumesCopyMovesElsewhere() {
        MovePlan plan = MovePlan.of(List.of("gone/sv01", "b/sv02"), List.of("b/sv02", "c/sv05"));
        assertEquals(List.of("c/sv05"), plan.adds());
        assertEquals(List.of("gone/sv01"), plan.deletes());
    }

    @Test
    void aNewSubvolumeOnTheSameVolumeIsAMoveToo() {
        MovePlan plan = MovePlan.of(List.of("a/sv01"), List.of("a/sv07"));
        assertEquals(List.of("a/sv07"), plan.adds());
        assertEquals(List.of("a/sv01"), plan.deletes());
    }

    @Test
    void onlyTheOrderDiffers() {
        MovePlan plan = MovePlan.of(List.of("b/sv02", "a/sv01"), List.of("a/sv01", "b/sv02"));
        assertFalse(plan.balanced());
        assertEquals(List.of(), plan.adds());
        assertEquals(List.of(), plan.deletes());
        assertEquals("reorder locations", plan.describe());
    }

    @Test
    void nothingIsDeletedUntilEveryTargetCopyIsConfirmed() {
        MovePlan plan = MovePlan.of(List.of("a/sv01", "b/sv02"), List.of("c/sv00", "d/sv03"));
        assertEquals(List.of(), plan.safeDeletes(List.of()));
        assertEquals(List.of(), plan.safeDeletes(List.of("c/sv00"))); // one copy made, the other failed
        assertEquals(List.of("a/sv01", "b/sv02"), plan.safeDeletes(List.of("d/sv03", "c/sv00")));
    }

    @Test
    void aTargetLocationIsNeverDeleted() {
        MovePlan plan = MovePlan.of(List.of("a/sv01", "b/sv02", "c/sv03"), List.of("b/sv02", "a/sv01"));
        assertEquals(List.of("c/sv03"), plan.safeDeletes(List.of("a/sv01", "b/sv02")));
        assertTrue(plan.safeDeletes(List.of("a/sv01", "b/sv02")).stream().noneMatch(plan.target()::contains));
    }
}
