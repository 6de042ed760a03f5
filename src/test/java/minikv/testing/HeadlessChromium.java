package minikv.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real browser for pages the index serves: Chromium in headless mode, one process per call, each
 * with a fresh profile directory that is removed afterwards. No network beyond the page's URL.
 */
public final class HeadlessChromium {

    /** Set to the browser binary to use one that is not on PATH. */
    public static final String ENVIRONMENT_VARIABLE = "MINIKV_CHROMIUM";
    private static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable");
    private static final List<String> MAC_APPS = List.of("/Applications/Chromium.app/Contents/MacOS/Chromium",
            "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome");
    private static final long TIMEOUT_SECONDS = 60;

    private final String binary;

    private HeadlessChromium(String binary) {
        this.binary = binary;
    }

    /** A browser that answers {@code --version}, or empty (Ubuntu's chromium package is a snap stub that does not). */
    public static Optional<HeadlessChromium> find() {
        List<String> candidates = new ArrayList<>();
        String chosen = System.getenv(ENVIRONMENT_VARIABLE);
        if (chosen != null && !chosen.isBlank()) {
            candidates.add(chosen);
        }
        for (String name : NAMES) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
                Path path = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(path)) {
                    candidates.add(path.toString());
                }
            }
        }
        candidates.addAll(MAC_APPS);
        return candidates.stream().filter(b -> Files.isExecutable(Path.of(b))).filter(HeadlessChromium::answersVersion)
                .findFirst().map(HeadlessChromium::new);
    }

    /** Loads {@code url} in a 1200x900 window and saves what it shows as a PNG. */
    public void screenshot(String url, Path png) {
        run(url, "--screenshot=" + png.toAbsolutePath(), "--window-size=1200,900", "--hide-scrollbars");
        if (!Files.isRegularFile(png)) {
            fail("chromium wrote no screenshot to " + png);
        }
    }

    /** Loads {@code url} and returns the DOM as the browser built it. */
    public String dumpDom(String url) {
        return run(url, "--dump-dom");
    }

    private String run(String url, String... what) {
        Path profile = null;
        Process process = null;
        try {
            profile = Files.createTempDirectory("minikv-chromium-");
            Path stdout = profile.resolve("stdout");
            List<String> command = new ArrayList<>(List.of(binary, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--user-data-dir=" + profile.resolve("profile")));
            command.addAll(List.of(what));
            command.add(url);
            process = new ProcessBuilder(command)
                    .redirectOutput(stdout.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD) // D-Bus and GPU chatter, harmless headless
                    .start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                fail("chromium did not finish loading " + url + " within " + TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                fail("chromium exited with status " + process.exitValue() + " loading " + url);
            }
            return Files.readString(stdout, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while chromium loaded " + url, e);
        } finally {
            if (process != null && process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            if (profile != null) {
                deleteTree(profile);
            }
        }
    }

    private static boolean answersVersion(String binary) {
        try {
            Process p = new ProcessBuilder(binary, "--version").redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.exitValue() == 0 && (out.contains("Chromium") || out.contains("Chrome"));
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A profile left in the temp directory is harmless; the test's verdict does not depend on it.
        }
    }
}
