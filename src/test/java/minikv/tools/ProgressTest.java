package minikv.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void withATotalItShowsShareRateAndEta() {
        assertEquals("250/1,000 keys (25.0%), 50 keys/s, ETA 0:15", Progress.format(250, 1000, 5_000_000_000L, 50, "keys"));
    }

    @Test
    void withoutATotalItShowsCountAndRate() {
        assertEquals("1,234 keys, 410 keys/s", Progress.format(1234, -1, 3_000_000_000L, 410.2, "keys"));
    }

    @Test
    void durations() {
        assertEquals("0:07", Progress.duration(7_000_000_000L));
        assertEquals("12:04", Progress.duration(724_000_000_000L));
        assertEquals("3:02:09", Progress.duration(10_929_000_000_000L));
    }

    @Test
    void onAPipeItPrintsPlainLinesAndASummary() throws InterruptedException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (Progress p = new Progress("verify", "keys", out, false, 20)) {
            p.total(10);
            p.add(4);
            p.count("damaged");
            Thread.sleep(100);
            p.println("damaged /k: a:1 missing");
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("verify: 4/10 keys (40.0%)"), text);
        assertTrue(text.contains("1 damaged"), text);
        assertTrue(text.contains("damaged /k: a:1 missing\n"), text);
        assertTrue(text.matches("(?s).*verify: 4 keys in 0:00 \\(\\d+ keys/s\\), 1 damaged\n$"), text);
        assertTrue(!text.contains("\r"), "no terminal control on a pipe: " + text);
    }
}
