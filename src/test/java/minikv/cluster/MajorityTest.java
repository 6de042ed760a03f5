package minikv.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MajorityTest {

    private static final byte[] A = {1, 2, 3};
    private static final byte[] B = {9, 9, 9};

    @Test
    void aLoneReplicaIsItsOwnMajority() {
        assertArrayEquals(A, Majority.ofMd5s(List.of(A.clone())));
        assertArrayEquals(A, Majority.ofMd5s(Arrays.asList(null, A.clone())));
    }

    @Test
    void moreThanHalfWins() {
        assertArrayEquals(A, Majority.ofMd5s(List.of(A.clone(), B, A.clone())));
        assertEquals(7L, Majority.of(List.of(7L, 7L, 3L)));
    }

    @Test
    void aTieHasNoWinner() {
        assertNull(Majority.ofMd5s(List.of(A, B)));
        assertNull(Majority.of(List.of(7L, 3L)));
        assertNull(Majority.ofMd5s(Arrays.asList(null, null)));
    }
}
