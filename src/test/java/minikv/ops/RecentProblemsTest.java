package minikv.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecentProblemsTest {

    @Test
    void holdsWhatWasAddedNewestFirst() {
        RecentProblems problems = new RecentProblems(3);
        problems.add(problem("a"));
        problems.add(problem("b"));

        assertEquals(List.of("b", "a"), messages(problems));
        assertEquals(2, problems.total());
    }

    @Test
    void overwritesTheOldestWhenFull() {
        RecentProblems problems = new RecentProblems(3);
        for (String m : List.of("a", "b", "c", "d", "e")) {
            problems.add(problem(m));
        }

        assertEquals(List.of("e", "d", "c"), messages(problems));
        assertEquals(5, problems.total());
    }

    @Test
    void isEmptyAtFirst() {
        assertEquals(List.of(), messages(new RecentProblems(1)));
    }

    @Test
    void needsRoomForOne() {
        assertThrows(IllegalArgumentException.class, () -> new RecentProblems(0));
    }

    private static RecentProblems.Problem problem(String message) {
        return new RecentProblems.Problem(Instant.EPOCH, "WARN", "Test", message);
    }

    private static List<String> messages(RecentProblems problems) {
        return problems.newestFirst().stream().map(RecentProblems.Problem::message).toList();
    }
}
