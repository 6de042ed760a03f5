package minikv.volume;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The values for the placeholders of the volume template. Computed here, in Java, rather than with
 * template logic, so that later settings (access rules, signed reads, a status file) are new
 * entries, each unit-tested.
 */
final class NginxConfigValues {

    private NginxConfigValues() {
    }

    static Map<String, String> of(VolumeSettings settings) {
        RuntimeFiles files = settings.files();
        Map<String, String> values = new LinkedHashMap<>();
        values.put("listen", listenAddress(settings.bindAddress(), settings.port()));
        values.put("root", configPath(files.volumeDir()));
        values.put("runtime_dir", configPath(files.runtimeDir()));
        values.put("pid_file", configPath(files.pidFile()));
        values.put("access_log", settings.accessLog() ? configPath(files.accessLog()) : "off");
        values.put("user_directive", userDirective(settings.workerUser()));
        return values;
    }

    static String listenAddress(String bindAddress, int port) {
        boolean ipv6Literal = bindAddress.contains(":");
        return (ipv6Literal ? "[" + bindAddress + "]" : bindAddress) + ":" + port;
    }

    static String userDirective(Optional<WorkerUser> workerUser) {
        return workerUser
                .map(user -> "user " + user.user() + " " + user.group() + ";")
                .orElse("# Not started as root: the workers keep the launcher's user, who can write DIR.");
    }

    /**
     * Paths go inside double quotes in the template; a character that quoting cannot protect
     * would change the config's meaning, so such a directory is refused before anything starts.
     */
    static String configPath(Path path) {
        String text = path.toString();
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\' || c == '$' || Character.isISOControl(c)) {
                throw new IllegalArgumentException("path " + text
                        + " cannot be used in an nginx config: it contains " + describe(c));
            }
        }
        return text;
    }

    private static String describe(char c) {
        return Character.isISOControl(c) ? "a control character" : "'" + c + "'";
    }
}
