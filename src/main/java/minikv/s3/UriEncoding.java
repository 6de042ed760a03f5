package minikv.s3;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Percent-encoding as AWS signs it: every byte but {@code A-Z a-z 0-9 - . _ ~} escaped, upper-case hex. */
public final class UriEncoding {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private UriEncoding() {
    }

    /** Encodes a query name or value (a slash is escaped too). */
    public static String encode(String text) {
        return encode(text.getBytes(StandardCharsets.UTF_8), true);
    }

    /** Encodes {@code bytes}; a slash is escaped only if {@code slashToo}. */
    public static String encode(byte[] bytes, boolean slashToo) {
        StringBuilder out = new StringBuilder(bytes.length + 16);
        for (byte b : bytes) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~' || (c == '/' && !slashToo)) {
                out.append(c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    /** The bytes {@code text} stands for; {@code +} is a plus, as in a path. */
    public static byte[] decode(String text) throws S3Error {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                int high = i + 2 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
                int low = high < 0 ? -1 : Character.digit(text.charAt(i + 2), 16);
                if (low < 0) {
                    throw S3Error.badRequest("InvalidURI", "bad percent-encoding in " + text);
                }
                out.write(high << 4 | low);
                i += 2;
            } else if (c < 0x80) {
                out.write(c);
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(utf8, 0, utf8.length);
            }
        }
        return out.toByteArray();
    }

    /** As {@link #decode}, as UTF-8 text. */
    public static String decodeText(String text) throws S3Error {
        return new String(decode(text), StandardCharsets.UTF_8);
    }
}
