package minikv.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class VolumeHealthTest {

    private final Map<String, String> answers = new ConcurrentHashMap<>();

    private VolumeHealth health(Duration interval) {
        return new VolumeHealth(List.of("a:1", "b:2", "c:3"), v -> answers.get(v), interval);
    }

    private static void eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not reached in 5 s");
            Thread.sleep(10);
        }
    }

    @Test
    void theFirstRoundIsDoneBeforeStartReturns() {
        answers.put("b:2", "connection refused");
        try (VolumeHealth h = health(Duration.ofHours(1))) {
            h.start();
            assertTrue(h.isUp("a:1/sv03"));
            assertFalse(h.isUp("b:2/sv03"));
            assertEquals("volume b:2 is down: connection refused", h.downReason("b:2"));
            assertTrue(h.isUp("c:3"));
            assertFalse(h.isUp("c:33/sv01"), "a volume is matched by its whole name");
            assertEquals("volume d:4 is not configured", h.downReason("d:4/sv00"));
        }
    }

    @Test
    void aFailureSeenByARequestCountsAtOnce() {
        try (VolumeHealth h = health(Duration.ofHours(1))) {
            h.start();
            h.reportFailure("c:3/sv01", "connection refused");
            h.reportFailure("d:4/sv01", "not ours: ignored");
            assertFalse(h.isUp("c:3"));
            assertEquals("volume c:3 is down: connection refused", h.downReason("c:3/sv09"));
            assertTrue(h.isUp("a:1"));
        }
    }

    @Test
    void probesTakeVolumesDownAndBringThemBack() throws InterruptedException {
        try (VolumeHealth h = health(Duration.ofMillis(20))) {
            h.start();
            answers.put("a:1", "timed out");
            eventually(() -> !h.isUp("a:1"));
            answers.remove("a:1");
            eventually(() -> h.isUp("a:1"));
            h.reportFailure("c:3/sv01", "reset by peer");
            eventually(() -> h.isUp("c:3"));
        }
    }

    @Test
    void aHangingVolumeDelaysNoOther() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        VolumeHealth h = new VolumeHealth(List.of("hang:1", "b:2"), v -> {
            if (v.equals("hang:1") && answers.containsKey("hang")) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return answers.get(v);
        }, Duration.ofMillis(20));
        try (h) {
            h.start();
            answers.put("hang", "");
            answers.put("b:2", "refused");
            eventually(() -> !h.isUp("b:2"));
        } finally {
            release.countDown();
        }
    }
}
