package minikv.volume;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The one dot name a volume serves: its disk status, read-only, from the runtime directory. */
class StatusLocationTemplateTest {

    @Test
    void theStatusFileIsServedByExactMatchFromTheRuntimeDirectory() throws IOException {
        RuntimeFiles files = new RuntimeFiles(Path.of("/srv/volume 1"));
        String config = VolumeTemplateTest.render(new VolumeSettings(files, "127.0.0.1", 3001, Optional.empty(), false));

        Matcher location = Pattern.compile("location = /\\.minikv/status\\.json \\{([^}]*)}").matcher(config);
        assertTrue(location.find(), config);
        String block = location.group(1);
        assertTrue(block.contains("alias \"/srv/volume 1/.minikv/status.json\";"), block);
        assertTrue(!block.contains("dav_methods"), "read-only: " + block);
        assertTrue(config.indexOf("location = /.minikv/status.json") < config.indexOf("location ~ /\\."),
                "declared before the rule hiding dot names, for readers; nginx prefers exact matches anyway");
    }
}
