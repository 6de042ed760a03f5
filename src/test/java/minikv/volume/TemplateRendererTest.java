package minikv.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateRendererTest {

    @Test
    void replacesEveryPlaceholderAndLeavesNginxVariablesAlone() {
        String rendered = TemplateRenderer.render("listen {{listen}};\nroot \"{{ root }}\"; set $x ${uri}; # {{listen}}",
                Map.of("listen", "127.0.0.1:3001", "root", "/srv/v1"));

        assertEquals("listen 127.0.0.1:3001;\nroot \"/srv/v1\"; set $x ${uri}; # 127.0.0.1:3001", rendered);
    }

    @Test
    void valuesAreInsertedLiterally() {
        assertEquals("return 200 '$1 \\\\d';",
                TemplateRenderer.render("return 200 '{{body}}';", Map.of("body", "$1 \\\\d")));
    }

    @Test
    void placeholderWithoutValueIsAnErrorNamingIt() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> TemplateRenderer.render("a {{known}} b {{secret_header}} c {{typo}}", Map.of("known", "1")));

        assertTrue(error.getMessage().contains("{{secret_header}}, {{typo}}"), error.getMessage());
    }

    @Test
    void unclosedPlaceholderIsAnError() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> TemplateRenderer.render("listen {{listen;\n}}", Map.of("listen", "1")));

        assertTrue(error.getMessage().contains("without a closing"), error.getMessage());
    }
}
