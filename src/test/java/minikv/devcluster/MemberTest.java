package minikv.devcluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import minikv.testing.Await;
import org.junit.jupiter.api.Test;

/** Stopping a member that does not stop when asked. */
class MemberTest {

    @Test
    void aMemberKilledAfterItsGraceTakesItsChildrenWithIt() throws Exception {
        // Ignores SIGTERM, as a stuck launcher would, and has a child, as a volume has its nginx.
        Process stuck = new ProcessBuilder("sh", "-c", "trap '' TERM; sleep 600 & wait").start();
        try {
            assertTrue(Await.until(() -> stuck.descendants().findAny().isPresent(), Duration.ofSeconds(5)), "the child started");
            List<ProcessHandle> children = stuck.descendants().toList();
            new Member("volume1", "volume", "127.0.0.1:1", stuck).stop(Duration.ofMillis(500));
            assertFalse(stuck.isAlive(), "the member");
            assertTrue(Await.until(() -> children.stream().noneMatch(ProcessHandle::isAlive), Duration.ofSeconds(5)),
                    "its children");
        } finally {
            stuck.descendants().forEach(ProcessHandle::destroyForcibly);
            stuck.destroyForcibly();
        }
    }
}
