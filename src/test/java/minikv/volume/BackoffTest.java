package minikv.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesUpToTheCapAndStartsOverAfterReset() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000));

        assertEquals(List.of(100L, 200L, 400L, 800L, 1000L, 1000L),
                Stream.generate(backoff::next).limit(6).map(Duration::toMillis).toList());
        backoff.reset();
        assertEquals(100L, backoff.next().toMillis());
    }
}
