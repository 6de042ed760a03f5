package minikv.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import minikv.testing.AdminPort;
import minikv.testing.Cluster;
import minikv.testing.FreePorts;
import minikv.testing.HeadlessChromium;
import minikv.testing.Http;
import minikv.testing.VolumeProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real browser: every volume listed with its state, the key counts, and the
 * warning the stopped volume caused. The screenshot stays under target/ for a person to look at.
 */
class StatusPageIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Path ARTIFACTS = Path.of(System.getProperty("minikv.jar", "target/minikv.jar"))
            .getParent().resolve("ops-artifacts");

    @TempDir
    Path dir;

    @Test
    void theStatusPageShowsEveryVolumeInABrowser() throws IOException {
        Optional<HeadlessChromium> found = HeadlessChromium.find();
        Assumptions.assumeTrue(found.isPresent(), "SKIPPED: no working Chromium (install Debian's chromium package, as"
                + " scripts/setup does, or set " + HeadlessChromium.ENVIRONMENT_VARIABLE + "); the status page is untested");
        HeadlessChromium chromium = found.get();
        int adminPort = FreePorts.next();
        try (Cluster cluster = Cluster.start(dir, 4, "--replicas", "2", "--admin-port", Integer.toString(adminPort))) {
            AdminPort admin = new AdminPort(adminPort);
            for (int i = 0; i < 5; i++) {
                assertEquals(201, Http.put(cluster.url("/shown-" + i), ("value " + i).getBytes(StandardCharsets.UTF_8))
                        .statusCode());
            }
            assertEquals(204, Http.send("UNLINK", cluster.url("/shown-0")).statusCode());
            VolumeProcess stopped = cluster.volumes().get(3);
            stopped.stop();
            admin.awaitMetric("minikv_volume_up{volume=\"" + stopped.address() + "\"}", up -> up == 0, WAIT);

            String dom = chromium.dumpDom(admin.url("/status"));
            Files.createDirectories(ARTIFACTS);
            Path screenshot = ARTIFACTS.resolve("status-page.png");
            chromium.screenshot(admin.url("/status"), screenshot);
            Files.writeString(ARTIFACTS.resolve("status-page.html"), dom);
            System.out.println("status page screenshot: " + screenshot.toAbsolutePath());

            List<String> rows = volumeRows(dom);
            List<String> expected = new ArrayList<>();
            for (VolumeProcess v : cluster.volumes()) {
                expected.add(v.address() + " up=" + (v != stopped));
            }
            assertEquals(expected, rows, "every volume, in order, with its state");
            assertTrue(dom.contains("<tr data-state=\"live\"><td>live</td><td class=\"num\">4</td></tr>"), dom);
            assertTrue(dom.contains("<tr data-state=\"unlinked\"><td>unlinked</td><td class=\"num\">1</td></tr>"), dom);
            assertTrue(dom.contains("<td class=\"WARN\">WARN</td><td>VolumeHealth</td><td>volume " + stopped.address()
                    + " is down"), "the warning is listed: " + dom);
            assertTrue(dom.contains("id=\"readiness\" data-ready=\"true\""), "3 of 4 up is enough for 2 replicas: " + dom);
            assertTrue(Files.size(screenshot) > 10_000, "a screenshot of a rendered page, not a blank one");
        }
    }

    /** "address up=true|false" for each volume row, in page order. */
    private static List<String> volumeRows(String dom) {
        Matcher row = Pattern.compile("<tr data-volume=\"([^\"]+)\" data-up=\"(true|false)\">").matcher(dom);
        List<String> rows = new ArrayList<>();
        while (row.find()) {
            rows.add(row.group(1) + " up=" + row.group(2));
        }
        return rows;
    }
}
