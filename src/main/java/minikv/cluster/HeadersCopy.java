package minikv.cluster;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The copy of an S3 object's stored headers that lies on the volumes, so that a rebuild, which
 * sees only the volumes, can give them back. It is the value of its own key, {@code
 * /.minikv-headers/} and the sha256 of the object's key in hex (a fixed length, whatever the
 * object's), as text:
 *
 * <pre>
 * minikv headers of /bucket/key%0Awith%20escapes
 * md5: 0cc175b9c0f1b6a831c399e269772661
 * size: 1
 * modified: 1764650000000
 * content-type: text/plain
 * x-amz-meta-colour: blue
 * </pre>
 *
 * The object's key is percent-encoded (any byte but letters, digits and {@code -._~/}), header
 * values are as sent (HTTP forbids line ends in them). The md5 names the value the headers
 * belong to: a rebuild attaches them to that value only, never to an older or newer one.
 */
public final class HeadersCopy {

    public static final String PREFIX = "/.minikv-headers/";
    private static final String FIRST_LINE = "minikv headers of ";

    /** What a copy holds. */
    public record Parsed(byte[] objectKey, String md5Hex, long size, long modifiedMillis, Map<String, String> headers) {}

    private HeadersCopy() {}

    /** The key whose value is the copy of {@code objectKey}'s headers. */
    public static byte[] keyOf(byte[] objectKey) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(objectKey);
            return (PREFIX + HexFormat.of().formatHex(sha)).getBytes(StandardCharsets.UTF_8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    public static byte[] encode(Parsed copy) {
        StringBuilder text = new StringBuilder(FIRST_LINE).append(escape(copy.objectKey())).append('\n')
                .append("md5: ").append(copy.md5Hex()).append('\n')
                .append("size: ").append(copy.size()).append('\n')
                .append("modified: ").append(copy.modifiedMillis()).append('\n');
        copy.headers().forEach((name, value) -> text.append(name).append(": ").append(value).append('\n'));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The copy in {@code value}; null if it is not one (a value someone else put under the prefix). */
    public static Parsed decode(byte[] value) {
        String[] lines = new String(value, StandardCharsets.UTF_8).split("\n", -1);
        if (lines.length < 5 || !lines[0].startsWith(FIRST_LINE) || !lines[lines.length - 1].isEmpty()) {
            return null;
        }
        byte[] objectKey = unescape(lines[0].substring(FIRST_LINE.length()));
        String md5 = field(lines[1], "md5");
        String size = field(lines[2], "size");
        String modified = field(lines[3], "modified");
        if (objectKey == null || md5 == null || !md5.matches("[0-9a-f]{32}") || size == null || modified == null) {
            return null;
        }
        Map<String, String> headers = new TreeMap<>();
        for (int i = 4; i < lines.length - 1; i++) {
            int colon = lines[i].indexOf(": ");
            if (colon <= 0) {
                return null;
            }
            headers.put(lines[i].substring(0, colon), lines[i].substring(colon + 2));
        }
        try {
            return new Parsed(objectKey, md5, Long.parseLong(size), Long.parseLong(modified), headers);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String field(String line, String name) {
        return line.startsWith(name + ": ") ? line.substring(name.length() + 2) : null;
    }

    private static String escape(byte[] key) {
        StringBuilder out = new StringBuilder(key.length);
        for (byte b : key) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~/".indexOf(c) >= 0)) {
                out.append(c);
            } else {
                out.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
            }
        }
        return out.toString();
    }

    private static byte[] unescape(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length()) {
                try {
                    out.write(HexFormat.fromHexDigits(text, i + 1, i + 3));
                } catch (IllegalArgumentException e) {
                    return null;
                }
                i += 2;
            } else if (c < 0x80 && c != '%') {
                out.write(c);
            } else {
                return null;
            }
        }
        return out.toByteArray();
    }
}
