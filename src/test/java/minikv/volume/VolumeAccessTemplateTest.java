package minikv.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import minikv.security.ClusterSecret;
import org.junit.jupiter.api.Test;

/** The access rules as rendered into the volume's nginx config, without starting nginx. */
class VolumeAccessTemplateTest {

    private static final ClusterSecret SECRET = ClusterSecret.of("0123456789abcdef0123456789abcdef");

    @Test
    void openByDefaultWithoutTheSecureLinkModule() throws IOException {
        String config = render(VolumeAccess.OPEN);

        assertTrue(config.contains("geo $minikv_address_may_write {\n        default 1;\n    }"), config);
        assertTrue(config.contains("map $http_minikv_secret $minikv_has_secret {\n        default 1;\n    }"), config);
        assertFalse(config.lines().filter(line -> !line.strip().startsWith("#")).anyMatch(line -> line.contains("secure_link")),
                "an nginx without the module must still start:\n" + config);
    }

    @Test
    void theSecretIsMatchedCaseSensitively() throws IOException {
        String config = render(new VolumeAccess(Optional.of(SECRET), List.of(), false));

        assertTrue(config.contains("        default 0;\n        \"~^" + SECRET.reveal() + "$\" 1;"), config);
    }

    @Test
    void onlyAllowedNetworksMayWrite() throws IOException {
        String config = render(new VolumeAccess(Optional.empty(),
                List.of(WriterNetwork.parse("10.0.0.0/8"), WriterNetwork.parse("fd00::/8")), false));

        assertTrue(config.contains("geo $minikv_address_may_write {\n        default 0;\n        10.0.0.0/8 1;\n"
                + "        fd00::/8 1;\n    }"), config);
    }

    @Test
    void signedReadsCheckTheIndexsSignature() throws IOException {
        String config = render(new VolumeAccess(Optional.of(SECRET), List.of(), true));

        assertTrue(config.contains("secure_link_md5 \"$secure_link_expires$uri " + SECRET.reveal() + "\";"), config);
        assertTrue(config.contains("$minikv_has_secret:$secure_link:$uri"), config);
    }

    @Test
    void signedReadsNeedTheSecret() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new VolumeAccess(Optional.empty(), List.of(), true));

        assertTrue(error.getMessage().contains("--signed-reads needs --secret-file"), error.getMessage());
    }

    @Test
    void withoutTheSecretTheOperatorIsWarnedWhoCanWrite() {
        assertEquals(Optional.of("WARNING: no --secret-file: anyone who can reach port 3001 can write and delete"
                + " values on this volume"), VolumeAccess.OPEN.openWritesWarning(3001));
        assertEquals(Optional.of("WARNING: no --secret-file: any client at 10.0.0.0/8 can write and delete values"
                + " on this volume"), new VolumeAccess(Optional.empty(), List.of(WriterNetwork.parse("10.0.0.0/8")), false)
                .openWritesWarning(3001));
        assertEquals(Optional.empty(), new VolumeAccess(Optional.of(SECRET), List.of(), false).openWritesWarning(3001));
    }

    private static String render(VolumeAccess access) throws IOException {
        return VolumeTemplateTest.render(new VolumeSettings(new RuntimeFiles(Path.of("/srv/v")), "127.0.0.1", 3001,
                Optional.empty(), false, access));
    }
}
