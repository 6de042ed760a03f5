package minikv.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar ${minikv.jar} args...} as a subprocess, the way an operator runs it. Its stdout
 * and stderr are captured, and echoed to the test's output with a prefix naming the process.
 */
public final class JarProcess implements AutoCloseable {

    private static final Duration CLOSE_GRACE = Duration.ofSeconds(10);
    /**
     * C1 only. A test's index or volume lives for seconds, where C2's compiling costs CPU that
     * the suite's other processes need on two cores, and gains nothing: five of the longest ITs
     * ran 7-15% faster with every JVM on C1. Behaviour is the same; speed is measured by
     * scripts/bench, which runs its servers as an operator would.
     */
    private static final List<String> TEST_JIT = List.of("-XX:TieredStopAtLevel=1");

    private final Process process;
    private final String prefix;
    private final StringBuilder output = new StringBuilder();
    private final StringBuilder stdout = new StringBuilder();
    private final List<Thread> pumps = new ArrayList<>();

    private JarProcess(Process process, String name) {
        this.process = process;
        this.prefix = "[" + name + " " + process.pid() + "] ";
        pumps.add(pump(process.getInputStream(), true));
        pumps.add(pump(process.getErrorStream(), false));
    }

    public static JarProcess start(String... args) {
        return start(List.of(), args);
    }

    /** With JVM options before {@code -jar}, e.g. {@code -Xmx64m}. */
    public static JarProcess start(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>(List.of(javaBinary()));
        command.addAll(TEST_JIT);
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar().toString()));
        command.addAll(List.of(args));
        try {
            return new JarProcess(new ProcessBuilder(command).start(), args.length == 0 ? "minikv" : args[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    public long pid() {
        return process.pid();
    }

    /** stdout and stderr so far, interleaved line by line as they arrived. */
    public String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    /** stdout alone so far: what a script reading the launcher's stdout would see. */
    public String stdout() {
        synchronized (output) {
            return stdout.toString();
        }
    }

    /** @return false if the text did not appear within the timeout, or the process ended without it */
    public boolean awaitOutput(String substring, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        synchronized (output) {
            while (output.indexOf(substring) < 0) {
                long left = Duration.between(Instant.now(), deadline).toMillis();
                if (left <= 0 || (!process.isAlive() && pumpsDone())) {
                    return false;
                }
                try {
                    output.wait(Math.min(left, 100));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /** The exit status, once all output has been read; fails the test if it does not exit in time. */
    public int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                fail(prefix + "still running after " + timeout + "; output so far:\n" + output());
            }
            for (Thread pump : pumps) {
                pump.join(timeout.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while waiting for " + prefix);
        }
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Sends a signal by name, as {@code kill -SIG pid} would: "TERM", "KILL", "STOP", "CONT"... */
    public void signal(String sig) {
        Signals.send(process.pid(), sig);
    }

    /** SIGTERM, then SIGKILL if the process has not exited within a few seconds. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    private Thread pump(InputStream stream, boolean isStdout) {
        Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    System.out.println(prefix + line);
                    synchronized (output) {
                        output.append(line).append('\n');
                        if (isStdout) {
                            stdout.append(line).append('\n');
                        }
                        output.notifyAll();
                    }
                }
            } catch (IOException e) {
                // The process is gone; what it wrote has been read.
            }
        }, prefix + (isStdout ? "stdout" : "stderr"));
        pump.setDaemon(true);
        pump.start();
        return pump;
    }

    private boolean pumpsDone() {
        return pumps.stream().noneMatch(Thread::isAlive);
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Path jar() {
        String property = System.getProperty("minikv.jar");
        if (property == null || !Files.isRegularFile(Path.of(property))) {
            fail("system property minikv.jar must name the built jar (mvn verify sets it to target/minikv.jar);"
                    + " it is " + property);
        }
        return Path.of(property);
    }
}
