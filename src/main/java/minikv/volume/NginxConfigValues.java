package minikv.volume;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import minikv.security.ClusterSecret;
import minikv.security.LinkSigner;

/**
 * The values for the placeholders of the volume template. Computed here, in Java, rather than with
 * template logic, so that later settings (access rules, signed reads, a status file) are new
 * entries, each unit-tested.
 */
final class NginxConfigValues {

    private static final String MAP_INDENT = "        ";

    private NginxConfigValues() {
    }

    static Map<String, String> of(VolumeSettings settings) {
        RuntimeFiles files = settings.files();
        Map<String, String> values = new LinkedHashMap<>();
        values.put("listen", listenAddress(settings.bindAddress(), settings.port()));
        values.put("root", configPath(files.volumeDir()));
        values.put("runtime_dir", configPath(files.runtimeDir()));
        values.put("body_temp_dir", configPath(files.bodyTempDir()));
        values.put("pid_file", configPath(files.pidFile()));
        values.put("status_file", configPath(files.statusFile()));
        values.put("access_log", settings.accessLog() ? configPath(files.accessLog()) : "off");
        values.put("user_directive", userDirective(settings.workerUser()));
        VolumeAccess access = settings.access();
        values.put("allowed_writers", allowedWriters(access));
        values.put("secret_match", secretMatch(access.secret()));
        values.put("link_signature", access.signedReads() ? "$secure_link" : "off");
        values.put("signed_read_directives", access.signedReads()
                ? LinkSigner.nginxDirectives(access.secret().orElseThrow())
                : "# --signed-reads is off: any client may read any value.");
        return values;
    }

    /** The body of the {@code geo} block: 1 for addresses that may write. */
    static String allowedWriters(VolumeAccess access) {
        if (access.allowedWriters().isEmpty()) {
            return MAP_INDENT + "default 1;";
        }
        StringBuilder body = new StringBuilder(MAP_INDENT + "default 0;");
        for (WriterNetwork network : access.allowedWriters()) {
            body.append('\n').append(MAP_INDENT).append(network.cidr()).append(" 1;");
        }
        return body.toString();
    }

    /**
     * The body of the map from the Minikv-Secret header to 1 when it holds the secret. A regex,
     * because plain map strings ignore case; the secret's characters mean nothing in one.
     */
    static String secretMatch(Optional<ClusterSecret> secret) {
        return secret.map(s -> MAP_INDENT + "default 0;\n" + MAP_INDENT + "\"~^" + s.reveal() + "$\" 1;")
                .orElse(MAP_INDENT + "default 1;");
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
