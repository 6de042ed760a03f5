package minikv.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reading an answer: its status and headers, its body as framed, and when its connection is
 * handed back, and whether it can carry another request.
 */
class AnswerTest {

    /** What the answer handed back, in order: true for "reuse", false for "close". */
    private final List<Boolean> handedBack = new ArrayList<>();

    @Test
    void nginxCreatedIsHandedBackForReuseAtOnceWithNothingOfTheNextAnswerRead() throws IOException {
        InputStream in = stream("HTTP/1.1 201 Created\r\nServer: nginx\r\nContent-Length: 0\r\n"
                + "Location: http://v/x\r\nConnection: keep-alive\r\n\r\nNEXT");

        Answer answer = read(in, false);

        assertEquals(201, answer.status());
        assertEquals("http://v/x", answer.header("location"), "header names are case-insensitive");
        assertNull(answer.header("Etag"));
        assertEquals(List.of(true), handedBack);
        assertEquals("NEXT", rest(in));
    }

    @Test
    void aBodyReadToItsEndHandsTheConnectionBackThere() throws IOException {
        InputStream in = stream("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloNEXT");
        Answer answer = read(in, false);

        assertEquals(5, answer.contentLength());
        assertEquals(List.of(), handedBack, "not before the body is read");
        assertEquals("hello", new String(answer.body().readAllBytes(), StandardCharsets.UTF_8));
        answer.close();
        assertEquals(List.of(true), handedBack, "once");
        assertEquals("NEXT", rest(in));
    }

    @Test
    void anUnreadErrorPageIsReadAwayOnClose() throws IOException {
        String page = "<html><body>403 Forbidden</body></html>\r\n";
        InputStream in = stream("HTTP/1.1 403 Forbidden\r\ncontent-length: " + page.length() + "\r\n\r\n" + page + "NEXT");

        read(in, false).close();

        assertEquals(List.of(true), handedBack);
        assertEquals("NEXT", rest(in));
    }

    @Test
    void aLargeUnreadBodyClosesTheConnectionRatherThanBeReadAway() throws IOException {
        read(stream("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + "x".repeat(1_000_000)), false).close();

        assertEquals(List.of(false), handedBack);
    }

    @Test
    void noContentAndHeadAnswersHaveNoBodyWhateverTheirHeadersSay() throws IOException {
        InputStream in = stream("HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\nNEXT");
        read(in, false);
        assertEquals("NEXT", rest(in));

        InputStream head = stream("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nNEXT");
        Answer answer = read(head, true);
        assertEquals(10, answer.contentLength(), "a HEAD still says the length");
        assertEquals(-1, answer.body().read());
        assertEquals("NEXT", rest(head));
        assertEquals(List.of(true, true), handedBack);
    }

    @Test
    void aChunkedBodyIsDecodedExtensionsAndTrailersAsideAndItsConnectionReused() throws IOException {
        InputStream in = stream("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\nNEXT");
        Answer answer = read(in, false);

        assertEquals("hello world", answer.text(100));
        assertEquals(-1, answer.body().read());
        assertEquals(List.of(true), handedBack);
        assertEquals("NEXT", rest(in));
    }

    @Test
    void badChunksAreAnIOExceptionAndCloseTheConnection() {
        for (String chunks : new String[] {"zz\r\nhello\r\n0\r\n\r\n", "-5\r\nhello\r\n0\r\n\r\n",
                "3\r\nhello\r\n0\r\n\r\n", "5\r\nhel"}) {
            handedBack.clear();
            assertThrows(IOException.class, () -> read(stream("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks),
                    false).body().readAllBytes(), chunks);
            assertEquals(List.of(false), handedBack, chunks);
        }
    }

    @Test
    void connectionCloseHttp10OrUnframedAnswersAreNotReused() throws IOException {
        read(stream("HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 2\r\n\r\nab"), false).close();
        read(stream("HTTP/1.0 201 Created\r\nContent-Length: 0\r\n\r\n"), false).close();
        Answer unframed = read(stream("HTTP/1.1 200 OK\r\n\r\nuntil the end"), false);
        assertEquals("until the end", unframed.text(100));
        unframed.close();

        assertEquals(List.of(false, false, false), handedBack);
    }

    @Test
    void aClosedConnectionOrGarbageIsAnIOExceptionThatSaysWhich() {
        IOException none = assertThrows(IOException.class, () -> read(stream(""), false));
        assertTrue(none.getMessage().contains("without answering"), none.getMessage());
        IOException cut = assertThrows(IOException.class,
                () -> read(stream("HTTP/1.1 201 Created\r\nContent-Le"), false));
        assertTrue(cut.getMessage().contains("in the middle of its answer"), cut.getMessage());
        assertThrows(IOException.class, () -> read(stream("SSH-2.0-OpenSSH\r\n\r\n"), false));
        assertThrows(IOException.class, () -> read(stream("HTTP/1.1 2x1 Odd\r\n\r\n"), false));
        assertThrows(IOException.class, () -> read(
                stream("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"), false).body().readAllBytes(), "a body cut short");
        assertThrows(IOException.class, () -> read(
                stream("HTTP/1.1 200 OK\r\nX: " + "y".repeat(ClusterHttp.MAX_HEAD_BYTES) + "\r\n\r\n"), false));
    }

    private Answer read(InputStream in, boolean toHead) throws IOException {
        return Answer.read(in, toHead, handedBack::add);
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String rest(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
}
