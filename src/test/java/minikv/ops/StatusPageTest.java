package minikv.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import minikv.cluster.DiskStatus;
import org.junit.jupiter.api.Test;

class StatusPageTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:15:00Z");

    @Test
    void listsEveryVolumeWithItsStateAndDisk() {
        String html = StatusPage.render(view(List.of(
                new StatusView.VolumeRow("127.0.0.1:3001", null, new VolumeStats.Probe(NOW.minusSeconds(1), 1_200_000, null),
                        new DiskStatus(NOW.minusSeconds(3), 100L << 30, 40L << 30, 60L << 30), null, 0, 0),
                new StatusView.VolumeRow("127.0.0.1:3002", "volume 127.0.0.1:3002 is down: Connection refused",
                        new VolumeStats.Probe(NOW, 300_000, "java.net.ConnectException: Connection refused"), null, null, 7, 2))));

        assertTrue(html.contains("<tr data-volume=\"127.0.0.1:3001\" data-up=\"true\">"), html);
        assertTrue(html.contains("<tr data-volume=\"127.0.0.1:3002\" data-up=\"false\">"), html);
        assertTrue(html.contains("volume 127.0.0.1:3002 is down: Connection refused"), html);
        assertTrue(html.contains("40.0 GiB") && html.contains("100.0 GiB") && html.contains("width:60.0%"), html);
        assertTrue(html.contains("<span class=\"badge bad\">none</span>"), "a down volume takes no writes: " + html);
        assertTrue(html.contains("1.2 ms"), html);
        assertTrue(html.contains("not reported"), html);
    }

    @Test
    void aVolumeRefusingWritesSaysWhy() {
        String html = StatusPage.render(view(List.of(new StatusView.VolumeRow("v:1", null, null,
                new DiskStatus(NOW, 10, 1, 9), "volume v:1 has 1 B free; a write would leave less than --min-free 1GiB", 0, 0))));

        assertTrue(html.contains("refused</span><div class=\"why\">volume v:1 has 1 B free"), html);
    }

    @Test
    void isSelfContained() {
        String html = StatusPage.render(view(List.of()));

        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertFalse(html.contains("src="), "no external scripts or images");
        assertFalse(html.contains("href="), "no external style sheets");
        assertFalse(html.contains("<script"), "no script");
    }

    @Test
    void escapesWhatComesFromOutside() {
        StatusView view = new StatusView(NOW, "idx", Duration.ZERO, new Readiness(true, "ready"), 1, "1GiB",
                List.of(), List.of(), List.of(), 0,
                List.of(new RecentProblems.Problem(NOW, "WARN", "PutHandler", "PUT /<script>alert(1)</script> failed & \"x\"")),
                1);

        String html = StatusPage.render(view);

        assertFalse(html.contains("<script>"), html);
        assertTrue(html.contains("PUT /&lt;script&gt;alert(1)&lt;/script&gt; failed &amp; &quot;x&quot;"), html);
    }

    @Test
    void saysWhenOlderProblemsAreNoLongerShown() {
        StatusView view = new StatusView(NOW, "idx", Duration.ZERO, new Readiness(true, "ready"), 1, "1GiB", List.of(),
                List.of(), List.of(), 0, List.of(new RecentProblems.Problem(NOW, "ERROR", "X", "boom")), 120);

        assertTrue(StatusPage.render(view).contains("the last 1 of 120"));
    }

    @Test
    void durationsReadNaturally() {
        assertEquals("4 s", StatusPage.duration(Duration.ofSeconds(4)));
        assertEquals("3 min 20 s", StatusPage.duration(Duration.ofSeconds(200)));
        assertEquals("2 h 5 min", StatusPage.duration(Duration.ofMinutes(125)));
        assertEquals("3 d 4 h", StatusPage.duration(Duration.ofHours(76)));
    }

    private static StatusView view(List<StatusView.VolumeRow> volumes) {
        return new StatusView(NOW, "127.0.0.1:3000", Duration.ofMinutes(5), Readiness.assess(true, true, List.of(), 2, 2), 2,
                "1GiB", volumes, List.of(new StatusView.KeyRow("live", 12)),
                List.of(new StatusView.RateRow("GET", 100, 2.5)), 0, List.of(), 0);
    }
}
