package minikv.volume;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecuteResultHandler;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ProcessDestroyer;
import org.apache.commons.exec.PumpStreamHandler;

/** One run of the nginx master, in the foreground, with its output forwarded to our stderr. */
final class NginxProcess {

    private static final Duration LAUNCH_POLL = Duration.ofMillis(10);

    private final Process master;
    /** Remembered while the master lives: if it is killed, its workers must be found to stop them. */
    private final Set<ProcessHandle> workers = ConcurrentHashMap.newKeySet();

    private NginxProcess(Process master) {
        this.master = master;
    }

    static NginxProcess start(Path nginx, RuntimeFiles files) throws IOException {
        // handleQuoting=false: commons-exec would otherwise wrap "daemon off;" in quotes of its own.
        CommandLine command = new CommandLine(nginx.toFile())
                .addArgument("-p").addArgument(files.runtimeDir() + File.separator, false)
                .addArgument("-c").addArgument(files.config().toString(), false)
                .addArgument("-e").addArgument(files.startupErrorLog().toString(), false)
                .addArgument("-g").addArgument("daemon off;", false);
        // stdout too goes to stderr: the launcher's stdout carries only its one "serving" line.
        DefaultExecutor executor = DefaultExecutor.builder()
                .setExecuteStreamHandler(new PumpStreamHandler(System.err, System.err))
                .setWorkingDirectory(files.runtimeDir())
                .get();
        LaunchedProcess launched = new LaunchedProcess();
        executor.setProcessDestroyer(launched);
        executor.setExitValues(null);
        DefaultExecuteResultHandler result = new DefaultExecuteResultHandler();
        executor.execute(command, result);
        return new NginxProcess(launched.await(result));
    }

    long pid() {
        return master.pid();
    }

    boolean isAlive() {
        return master.isAlive();
    }

    int exitValue() {
        return master.exitValue();
    }

    /** @return whether the master has exited */
    boolean awaitExit(Duration timeout) {
        return NginxStopper.awaitExit(master.toHandle(), timeout);
    }

    void rememberWorkers() {
        master.children().forEach(workers::add);
    }

    void stop(Duration grace) {
        NginxStopper.stop(master.toHandle(), workers, grace);
    }

    /** A master killed with SIGKILL leaves its workers holding the port: a new master could not bind. */
    void killOrphanedWorkers() {
        workers.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * commons-exec hands every process it launches to the executor's ProcessDestroyer; this one only
     * keeps it, so that the launcher can signal nginx and watch it. Stopping nginx on exit is the
     * launcher's own shutdown hook's job.
     */
    private static final class LaunchedProcess implements ProcessDestroyer {

        private final CompletableFuture<Process> process = new CompletableFuture<>();

        @Override
        public boolean add(Process launched) {
            return process.complete(launched);
        }

        @Override
        public boolean remove(Process exited) {
            return true;
        }

        @Override
        public int size() {
            return process.isDone() ? 1 : 0;
        }

        /** The executor launches on a thread of its own: wait for the process or its failure to start. */
        Process await(DefaultExecuteResultHandler result) throws IOException {
            while (true) {
                try {
                    return process.get(LAUNCH_POLL.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    if (result.hasResult() && !process.isDone()) {
                        Exception failure = result.getException();
                        throw new IOException(failure == null ? "it did not start" : failure.getMessage(), failure);
                    }
                } catch (ExecutionException e) {
                    throw new IllegalStateException("never completed exceptionally", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while starting nginx", e);
                }
            }
        }
    }
}
