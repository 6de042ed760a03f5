package minikv.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutoindexTest {

    private static List<Autoindex.Entry> parse(String json) throws IOException {
        return Autoindex.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void parsesWhatNginxSends() throws IOException {
        // Verbatim from nginx 1.22 with autoindex_format json.
        List<Autoindex.Entry> entries = parse("""
                [
                { "name":"L2E", "type":"directory", "mtime":"Tue, 24 Nov 2026 01:00:46 GMT" },
                { "name":"Yg==", "type":"file", "mtime":"Tue, 24 Nov 2026 01:00:46 GMT", "size":6 },
                { "name":"Yg==.unlinked", "type":"file", "mtime":"Tue, 24 Nov 2026 01:00:46 GMT", "size":12345678901 }
                ]
                """);
        assertEquals(List.of(
                new Autoindex.Entry("L2E", Autoindex.Type.DIRECTORY, -1),
                new Autoindex.Entry("Yg==", Autoindex.Type.FILE, 6),
                new Autoindex.Entry("Yg==.unlinked", Autoindex.Type.FILE, 12_345_678_901L)), entries);
    }

    @Test
    void anEmptyDirectoryIsAnEmptyArray() throws IOException {
        assertTrue(parse("[\n]\n").isEmpty());
    }

    @Test
    void unknownFieldsAndTypesAreTolerated() throws IOException {
        List<Autoindex.Entry> entries = parse("[{\"name\":\"s\",\"type\":\"other\",\"extra\":{\"a\":[1,2]},\"size\":3}]");
        assertEquals(List.of(new Autoindex.Entry("s", Autoindex.Type.OTHER, -1)), entries);
    }

    @Test
    void escapedNamesAreDecoded() throws IOException {
        assertEquals("a\"b\\c", parse("[{\"name\":\"a\\\"b\\\\c\",\"type\":\"file\",\"size\":1}]").get(0).name());
    }

    @Test
    void somethingElseIsAnError() {
        assertThrows(IOException.class, () -> parse("<html>403 Forbidden</html>"));
        assertThrows(IOException.class, () -> parse("{\"name\":\"x\"}"));
        assertThrows(IOException.class, () -> parse("[{\"type\":\"file\"}]"));
        assertThrows(IOException.class, () -> parse("[1]"));
    }
}
