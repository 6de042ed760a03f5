package minikv.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A command-line tool run to its end, for the tests that drive real clients (awscli, rclone, restic...). */
public final class Command {

    private Command() {
    }

    /** What it printed (stdout and stderr together) and how it exited. */
    public record Result(int exit, String output) {
        /** The output, once the exit was 0; else fails with the output. */
        public String ok() {
            assertEquals(0, exit, () -> "exit " + exit + "; output:\n" + output);
            return output;
        }
    }

    /** True if {@code program} is an executable file or on the PATH. */
    public static boolean exists(String program) {
        if (program.contains("/")) {
            return Files.isExecutable(Path.of(program));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs {@code command} in {@code dir} with the environment plus {@code env}, minus
     * AWS_CA_BUNDLE (set on some machines; rclone then refuses every endpoint) and any AWS
     * profile of the machine's; killed after {@code timeout}.
     */
    public static Result run(Path dir, Map<String, String> env, Duration timeout, List<String> command) {
        try {
            Path log = Files.createTempFile("command", ".log");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(log.toFile());
                builder.environment().keySet().removeIf(name -> name.startsWith("AWS_"));
                builder.environment().putAll(env);
                Process process = builder.start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor();
                    return new Result(-1, "timed out after " + timeout + "\n" + Files.readString(log, StandardCharsets.UTF_8));
                }
                return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
