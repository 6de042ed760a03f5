package minikv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * scripts/bench --quick end to end: its own cluster and limits, every benchmark once, one table.
 * Targets may FAIL on a busy machine; what must hold is that every request answered correctly.
 */
class ScriptsBenchIT {

    private static final Path SCRIPT = Path.of("scripts", "bench").toAbsolutePath();

    @Test
    void quickRunAnswersEveryRequestAndPrintsEveryRow() throws IOException, InterruptedException {
        // A test never installs packages; the script would (as root) when run by hand.
        for (String tool : new String[] {"wrk", "hey", "nginx", "curl"}) {
            assumeTrue(onPath(tool), tool + " is not installed");
        }
        Process run = new ProcessBuilder(SCRIPT.toString(), "--quick")
                .redirectError(ProcessBuilder.Redirect.INHERIT) // progress, into the test's log
                .start();
        String table = new String(run.getInputStream().readAllBytes());
        assertTrue(run.waitFor(5, TimeUnit.MINUTES), "still running after 5 minutes:\n" + table);

        assertEquals(0, run.exitValue(), table);
        for (String row : new String[] {"fetch missing, wrk", "fetch missing, hey", "fetch present, hey",
                "thrasher, 2,000 keys", "64 MiB PUT", "index peak RSS", "64 MiB PUT through S3", "64 MiB GET through S3"}) {
            assertTrue(table.lines().anyMatch(l -> l.startsWith(row) && l.matches(".*(PASS|FAIL)$")),
                    "no result row for " + row + ":\n" + table);
        }
        if (postgresInstalled()) {
            for (String row : new String[] {"PostgreSQL x1 index, fetch missing hey", "PostgreSQL x1 index, fetch present hey",
                    "PostgreSQL x2 index, fetch missing hey", "PostgreSQL x2 index, fetch present hey"}) {
                assertTrue(table.lines().anyMatch(l -> l.startsWith(row) && l.matches(".*(PASS|FAIL)$")),
                        "no result row for " + row + ":\n" + table);
            }
        }
        assertTrue(table.lines().anyMatch(l -> l.matches("small GET through S3, hey -c 100 \\(req/s\\) +[1-9][0-9,]* .*")),
                "no S3 small GET row:\n" + table);
        assertTrue(table.lines().anyMatch(l -> l.matches("  bound for any index \\(cycles/s\\) +- +[0-9,]+ \\(.*")),
                "no thrasher bound:\n" + table);
        assertTrue(table.lines().anyMatch(l -> l.matches("  index CPU per cycle \\(us\\) +[1-9][0-9,]* +[1-9][0-9,]* \\(nginx fan-out.*(PASS|FAIL)$")),
                "no index CPU row beside nginx as a fan-out index:\n" + table);
        assertTrue(table.lines().anyMatch(l -> l.matches("thrasher CPU per cycle \\(us\\): index [1-9][0-9]*, volumes [1-9].*")),
                "no thrasher CPU breakdown:\n" + table);
    }

    /** As scripts/bench looks for it: Debian's layout. */
    private static boolean postgresInstalled() {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.anyMatch(v -> Files.isExecutable(v.resolve("bin/initdb")));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv("PATH").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
    }
}
