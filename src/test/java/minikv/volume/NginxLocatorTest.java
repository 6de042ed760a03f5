package minikv.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NginxLocatorTest {

    private static final Map<String, String> PATH_ONLY = Map.of("PATH", "/opt/bin:/usr/bin");

    @Test
    void looksOnThePathThenInUsrSbin() {
        assertEquals(List.of(Path.of("/opt/bin/nginx"), Path.of("/usr/bin/nginx"), Path.of("/usr/sbin/nginx")),
                NginxLocator.candidates(Optional.empty(), PATH_ONLY));
    }

    @Test
    void theOptionWinsOverTheEnvironmentVariableWhichWinsOverPath() {
        Map<String, String> environment = Map.of("PATH", "/usr/bin", "MINIKV_NGINX", "/env/nginx");

        assertEquals(List.of(Path.of("/opt/nginx")), NginxLocator.candidates(Optional.of(Path.of("/opt/nginx")), environment));
        assertEquals(List.of(Path.of("/env/nginx")), NginxLocator.candidates(Optional.empty(), environment));
    }

    @Test
    void picksTheFirstExecutableCandidate() throws VolumeStartupException {
        Set<Path> executables = Set.of(Path.of("/usr/bin/nginx"), Path.of("/usr/sbin/nginx"));

        assertEquals(Path.of("/usr/bin/nginx"), NginxLocator.firstExecutable(Optional.empty(), PATH_ONLY, executables::contains));
    }

    @Test
    void aNamedBinaryThatIsMissingIsNotReplacedByAnother() {
        VolumeStartupException error = assertThrows(VolumeStartupException.class, () -> NginxLocator.firstExecutable(
                Optional.of(Path.of("/nonexistent")), PATH_ONLY, path -> !path.startsWith("/nonexistent")));

        assertTrue(error.getMessage().contains("/nonexistent, given with --nginx"), error.getMessage());
        assertTrue(error.getMessage().contains("apt-get install nginx"), error.getMessage());
        assertTrue(error.getMessage().contains("brew install nginx"), error.getMessage());
    }

    @Test
    void requiresTheDavModule() throws VolumeStartupException {
        String debian = "nginx version: nginx/1.22.1\nconfigure arguments: --with-http_ssl_module --with-http_dav_module";
        String minimal = "nginx version: nginx/1.27.0\nconfigure arguments: --with-http_ssl_module";

        NginxLocator.requireDavModule(Path.of("/usr/sbin/nginx"), debian);
        VolumeStartupException error = assertThrows(VolumeStartupException.class,
                () -> NginxLocator.requireDavModule(Path.of("/opt/nginx"), minimal));
        assertTrue(error.getMessage().contains("/opt/nginx") && error.getMessage().contains("http_dav_module"),
                error.getMessage());
        assertTrue(error.getMessage().contains("apt-get install nginx"), error.getMessage());
    }

    @Test
    void signedReadsRequireTheSecureLinkModule() throws VolumeStartupException {
        String withIt = "configure arguments: --with-http_dav_module --with-http_secure_link_module";
        String without = "configure arguments: --with-http_dav_module";

        NginxLocator.requireSecureLinkModule(Path.of("/usr/sbin/nginx"), withIt);
        VolumeStartupException error = assertThrows(VolumeStartupException.class,
                () -> NginxLocator.requireSecureLinkModule(Path.of("/opt/nginx"), without));
        assertTrue(error.getMessage().contains("/opt/nginx") && error.getMessage().contains("secure_link module")
                && error.getMessage().contains("--signed-reads"), error.getMessage());
    }
}
