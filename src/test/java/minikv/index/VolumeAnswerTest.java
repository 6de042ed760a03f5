package minikv.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Reading a volume's answer: its status, whether its connection can be used again, and its body skipped. */
class VolumeAnswerTest {

    @Test
    void nginxCreatedIsReusableAndItsBodyIsSkipped() throws IOException {
        InputStream in = stream("HTTP/1.1 201 Created\r\nServer: nginx\r\nContent-Length: 0\r\n"
                + "Location: http://v/x\r\nConnection: keep-alive\r\n\r\nNEXT");

        assertEquals(new VolumeAnswer(201, true), VolumeAnswer.read(in, false));
        assertEquals("NEXT", rest(in), "nothing of the next answer was read");
    }

    @Test
    void anErrorPageIsReadToItsEnd() throws IOException {
        String page = "<html><body>403 Forbidden</body></html>\r\n";
        InputStream in = stream("HTTP/1.1 403 Forbidden\r\ncontent-length: " + page.length() + "\r\n\r\n" + page + "NEXT");

        assertEquals(new VolumeAnswer(403, true), VolumeAnswer.read(in, false));
        assertEquals("NEXT", rest(in));
    }

    @Test
    void noContentHasNoBodyWhateverItsHeadersSay() throws IOException {
        InputStream in = stream("HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\nNEXT");

        assertEquals(new VolumeAnswer(204, true), VolumeAnswer.read(in, false));
        assertEquals("NEXT", rest(in));
    }

    @Test
    void connectionCloseHttp10ChunkedOrUnframedAnswersAreNotReused() throws IOException {
        assertEquals(new VolumeAnswer(500, false),
                VolumeAnswer.read(stream("HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 2\r\n\r\nab"), false));
        assertEquals(new VolumeAnswer(201, false),
                VolumeAnswer.read(stream("HTTP/1.0 201 Created\r\nContent-Length: 0\r\n\r\n"), false));
        assertEquals(new VolumeAnswer(200, false),
                VolumeAnswer.read(stream("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), false));
        assertEquals(new VolumeAnswer(200, false),
                VolumeAnswer.read(stream("HTTP/1.1 200 OK\r\n\r\nuntil the end"), false));
    }

    @Test
    void aClosedConnectionOrGarbageIsAnIOExceptionThatSaysWhich() {
        IOException none = assertThrows(IOException.class, () -> VolumeAnswer.read(stream(""), false));
        assertTrue(none.getMessage().contains("without answering"), none.getMessage());
        IOException cut = assertThrows(IOException.class,
                () -> VolumeAnswer.read(stream("HTTP/1.1 201 Created\r\nContent-Le"), false));
        assertTrue(cut.getMessage().contains("in the middle of its answer"), cut.getMessage());
        assertThrows(IOException.class, () -> VolumeAnswer.read(stream("SSH-2.0-OpenSSH\r\n\r\n"), false));
        assertThrows(IOException.class, () -> VolumeAnswer.read(stream("HTTP/1.1 2x1 Odd\r\n\r\n"), false));
        assertThrows(IOException.class, () -> VolumeAnswer.read(
                stream("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"), false), "a body cut short");
        assertThrows(IOException.class, () -> VolumeAnswer.read(
                stream("HTTP/1.1 200 OK\r\nX: " + "y".repeat(VolumeHttp.MAX_HEAD_BYTES) + "\r\n\r\n"), false));
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String rest(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
}
