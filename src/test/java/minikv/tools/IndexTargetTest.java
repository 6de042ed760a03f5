package minikv.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import minikv.cluster.KeyReport;
import org.junit.jupiter.api.Test;

class IndexTargetTest {

    @Test
    void keysArePercentEncodedByteByByte() {
        byte[] key = "/a?b c+d/é%".getBytes(StandardCharsets.UTF_8);
        assertEquals("/a%3Fb%20c%2Bd/%C3%A9%25", IndexTarget.encode(key, true));
        assertEquals("%2Fa%3Fb%20c%2Bd%2F%C3%A9%25", IndexTarget.encode(key, false));
    }

    @Test
    void listingPagesParse() throws IOException {
        var page = IndexTarget.parsePage(new ByteArrayInputStream(
                "{\"next\":\"/k3\",\"keys\":[\"/k1\",\"/a?b\"]}".getBytes(StandardCharsets.UTF_8)));
        assertEquals("/k3", page.next());
        assertEquals(List.of("/k1", "/a?b"), page.keys());
        var last = IndexTarget.parsePage(new ByteArrayInputStream("{\"keys\":[],\"next\":\"\"}".getBytes(StandardCharsets.UTF_8)));
        assertEquals("", last.next());
        assertEquals(List.of(), last.keys());
    }

    @Test
    void reportsTravelAsOneAsciiHeader() {
        KeyReport report = new KeyReport(KeyReport.Kind.DAMAGED, "a:1/sv01 missing;\nb é");
        assertEquals("DAMAGED a:1/sv01 missing;?b ?", report.toHeader());
        assertEquals(new KeyReport(KeyReport.Kind.DAMAGED, "a:1/sv01 missing;?b ?"), KeyReport.parse(report.toHeader()));
        assertEquals(KeyReport.ok(""), KeyReport.parse("OK"));
        assertEquals(KeyReport.Kind.FAILED, KeyReport.parse("WHAT now").kind());
    }
}
