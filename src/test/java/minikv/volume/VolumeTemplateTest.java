package minikv.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The built-in template rendered with the values the launcher computes, without starting nginx. */
class VolumeTemplateTest {

    private static final Path DIR = Path.of("/srv/volume 1");
    private static final RuntimeFiles FILES = new RuntimeFiles(DIR);

    @Test
    void everyPlaceholderIsFilled() throws IOException {
        String config = render(settings(Optional.empty(), false));

        assertFalse(config.contains("{{"), config);
        assertFalse(config.contains("}}"), config);
        assertTrue(config.contains("listen 127.0.0.1:3001;"), config);
        assertTrue(config.contains("root \"/srv/volume 1\";"), config);
    }

    @Test
    void everyPathNginxWritesIsInsideTheRuntimeDirectory() throws IOException {
        String config = render(settings(Optional.empty(), true));

        List<String> writtenPaths = directiveArguments(config,
                "pid|access_log|client_body_temp_path|proxy_temp_path|fastcgi_temp_path|uwsgi_temp_path|scgi_temp_path");
        assertEquals(7, writtenPaths.size(), config);
        for (String path : writtenPaths) {
            assertTrue(Path.of(path).startsWith(DIR.resolve(".minikv")), path + " is outside the runtime directory");
        }
        assertTrue(config.contains("error_log stderr"), "errors go to the launcher, not to a file outside DIR");
    }

    @Test
    void accessLogIsOffUnlessAskedFor() throws IOException {
        assertEquals(List.of("off"), directiveArguments(render(settings(Optional.empty(), false)), "access_log"));
        assertEquals(List.of(FILES.accessLog().toString()),
                directiveArguments(render(settings(Optional.empty(), true)), "access_log"));
    }

    @Test
    void startedAsRootTheWorkersRunAsTheDirectoryOwner() throws IOException {
        String config = render(settings(Optional.of(new WorkerUser("alice", "staff")), false));

        assertTrue(Pattern.compile("(?m)^user alice staff;$").matcher(config).find(), config);
    }

    @Test
    void startedAsAnotherUserThereIsNoUserDirective() throws IOException {
        String config = render(settings(Optional.empty(), false));

        assertFalse(Pattern.compile("(?m)^\\s*user\\s").matcher(config).find(), config);
    }

    @Test
    void ipv6AddressesAreBracketed() {
        assertEquals("[::1]:3001", NginxConfigValues.listenAddress("::1", 3001));
        assertEquals("0.0.0.0:80", NginxConfigValues.listenAddress("0.0.0.0", 80));
    }

    @Test
    void directoriesThatQuotingCannotProtectAreRefused() {
        for (String dir : List.of("/srv/a\"b", "/srv/$home", "/srv/a\\b", "/srv/a\nb")) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> NginxConfigValues.of(new VolumeSettings(new RuntimeFiles(Path.of(dir)), "127.0.0.1", 3001,
                            Optional.empty(), false)));
            assertTrue(error.getMessage().contains(dir), error.getMessage());
        }
    }

    private static VolumeSettings settings(Optional<WorkerUser> workerUser, boolean accessLog) {
        return new VolumeSettings(FILES, "127.0.0.1", 3001, workerUser, accessLog);
    }

    static String render(VolumeSettings settings) throws IOException {
        try (InputStream template = VolumeTemplateTest.class.getResourceAsStream("/nginx-templates/volume.conf")) {
            String text = new String(template.readAllBytes(), StandardCharsets.UTF_8);
            return TemplateRenderer.render(text, NginxConfigValues.of(settings));
        }
    }

    /** The (unquoted) first argument of every occurrence of the named directives. */
    private static List<String> directiveArguments(String config, String directives) {
        Matcher directive = Pattern.compile("(?m)^\\s*(?:" + directives + ")\\s+\"?([^\";]*)\"?;").matcher(config);
        List<String> arguments = new ArrayList<>();
        while (directive.find()) {
            arguments.add(directive.group(1));
        }
        return arguments;
    }
}
