package minikv.volume;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;

/**
 * Finds the nginx binary: {@code --nginx PATH}, else {@code $MINIKV_NGINX}, else the first
 * {@code nginx} on {@code $PATH}, else {@code /usr/sbin/nginx} (Debian's, which is not on a normal
 * user's PATH). A path the operator named is the only one tried: falling back silently would run
 * an nginx they did not choose.
 */
final class NginxLocator {

    static final String ENVIRONMENT_VARIABLE = "MINIKV_NGINX";
    static final Path SYSTEM_NGINX = Path.of("/usr/sbin/nginx");
    static final String INSTALL_HINT = "install nginx (`apt-get install nginx` on Debian/Ubuntu,"
            + " `brew install nginx` on macOS), or name one with --nginx PATH or $" + ENVIRONMENT_VARIABLE;
    private static final String DAV_MODULE_FLAG = "--with-http_dav_module";
    private static final String SECURE_LINK_MODULE_FLAG = "--with-http_secure_link_module";
    private static final Duration VERSION_QUERY_TIMEOUT = Duration.ofSeconds(10);

    private NginxLocator() {
    }

    /**
     * An nginx binary that exists, runs, and has the WebDAV module volumes need for PUT/DELETE
     * (and, for {@code --signed-reads}, the secure_link module that checks signatures).
     */
    static Path locate(Optional<Path> option, Map<String, String> environment, boolean signedReads)
            throws VolumeStartupException {
        Path nginx = firstExecutable(option, environment, Files::isExecutable);
        String versionOutput = versionOutput(nginx);
        requireDavModule(nginx, versionOutput);
        if (signedReads) {
            requireSecureLinkModule(nginx, versionOutput);
        }
        return nginx;
    }

    static Path firstExecutable(Optional<Path> option, Map<String, String> environment,
            Predicate<Path> isExecutable) throws VolumeStartupException {
        List<Path> candidates = candidates(option, environment);
        return candidates.stream().filter(isExecutable).findFirst().orElseThrow(() -> new VolumeStartupException(
                "nginx not found (looked for " + describe(candidates, option, environment) + "); " + INSTALL_HINT));
    }

    static List<Path> candidates(Optional<Path> option, Map<String, String> environment) {
        if (option.isPresent()) {
            return List.of(option.get());
        }
        Optional<Path> fromEnvironment = fromEnvironment(environment);
        if (fromEnvironment.isPresent()) {
            return List.of(fromEnvironment.get());
        }
        List<Path> candidates = new ArrayList<>();
        for (String dir : environment.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isBlank()) {
                candidates.add(Path.of(dir, "nginx"));
            }
        }
        candidates.add(SYSTEM_NGINX);
        return candidates;
    }

    static void requireDavModule(Path nginx, String versionOutput) throws VolumeStartupException {
        if (!versionOutput.contains(DAV_MODULE_FLAG)) {
            throw new VolumeStartupException(nginx + " was built without the WebDAV module (http_dav_module)"
                    + " that volumes need for PUT and DELETE; " + INSTALL_HINT);
        }
    }

    static void requireSecureLinkModule(Path nginx, String versionOutput) throws VolumeStartupException {
        if (!versionOutput.contains(SECURE_LINK_MODULE_FLAG)) {
            throw new VolumeStartupException(nginx + " was built without the secure_link module"
                    + " (http_secure_link_module) that --signed-reads needs to check signatures; use an nginx"
                    + " that has it (Debian's and the official packages do), or run without --signed-reads");
        }
    }

    /** `nginx -V`, which prints the version and configure arguments (to stderr). */
    private static String versionOutput(Path nginx) throws VolumeStartupException {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        DefaultExecutor executor = DefaultExecutor.builder()
                .setExecuteStreamHandler(new PumpStreamHandler(output))
                .get();
        executor.setWatchdog(ExecuteWatchdog.builder().setTimeout(VERSION_QUERY_TIMEOUT).get());
        executor.setExitValues(null);
        int status;
        try {
            status = executor.execute(new CommandLine(nginx.toFile()).addArgument("-V"));
        } catch (IOException e) {
            throw new VolumeStartupException("cannot run " + nginx + " -V: " + e.getMessage() + "; " + INSTALL_HINT);
        }
        String text = output.toString(StandardCharsets.UTF_8);
        if (status != 0) {
            throw new VolumeStartupException(nginx + " -V failed with status " + status + ": " + text.strip());
        }
        return text;
    }

    private static String describe(List<Path> candidates, Optional<Path> option, Map<String, String> environment) {
        String tried = candidates.stream().map(Path::toString).collect(Collectors.joining(", "));
        if (option.isPresent()) {
            return tried + ", given with --nginx";
        }
        return fromEnvironment(environment).isPresent() ? tried + ", from $" + ENVIRONMENT_VARIABLE : tried;
    }

    private static Optional<Path> fromEnvironment(Map<String, String> environment) {
        String value = environment.get(ENVIRONMENT_VARIABLE);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(Path.of(value));
    }
}
