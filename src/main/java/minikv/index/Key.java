package minikv.index;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import minikv.cluster.ReplicaName;
import minikv.placement.Placement;

/**
 * A key: the percent-decoded request path, leading slash included, as text and as the UTF-8
 * bytes the index and the placement hash use.
 *
 * <p>Decoding is ours, not Undertow's, because Undertow's is lenient (it passes malformed
 * UTF-8 and bad escapes through). Here {@code %2F} is a slash like any other, {@code +} is a
 * plus, and a path that is not strict UTF-8, holds a NUL, or has a {@code .} or {@code ..}
 * segment is refused: such keys would be read differently by other HTTP tools.
 */
final class Key {

    private final String text;
    private final byte[] bytes;

    private Key(String text, byte[] bytes) {
        this.text = text;
        this.bytes = bytes;
    }

    String text() {
        return text;
    }

    /** The UTF-8 bytes; callers must not change them. */
    byte[] bytes() {
        return bytes;
    }

    /** True when the key's file name (its base64) is longer than a volume's file system takes. */
    boolean tooLongForAVolume() {
        return Placement.nameTooLong(bytes);
    }

    /** True when the key is longer than minikv writes ({@link ReplicaName#MAX_KEY_BYTES}). */
    boolean tooLongToWrite() {
        return bytes.length > ReplicaName.MAX_KEY_BYTES;
    }

    /** The 414 for a key that {@link #tooLongToWrite}, before anything is changed. */
    HttpFailure tooLongToWriteFailure(String method) {
        return new HttpFailure(414, "key too long for " + method + ": it has " + bytes.length + " bytes and keys have at"
                + " most " + ReplicaName.MAX_KEY_BYTES + " (UTF-8), so that its file name on the volumes, unlinked"
                + " included, fits in " + Placement.MAX_NAME_BYTES + " bytes; nothing changed");
    }

    /** Decodes a raw (still percent-encoded) request path. */
    static Key fromRawPath(String raw) throws HttpFailure {
        if (raw.isEmpty() || raw.charAt(0) != '/') {
            throw HttpFailure.badRequest("a key is a path starting with /");
        }
        byte[] bytes = percentDecode(raw, false);
        String text = raw.indexOf('%') < 0 ? raw : strictUtf8(bytes);
        checkSegments(text);
        return new Key(text, bytes);
    }

    /** A key read back from the index, whose bytes were checked when it was written. */
    static Key fromStored(byte[] bytes) {
        return new Key(new String(bytes, StandardCharsets.UTF_8), bytes);
    }

    /**
     * Percent-decodes a raw path or (with {@code plusIsSpace}) a query value, byte for byte.
     * Non-ASCII characters must arrive escaped.
     */
    static byte[] percentDecode(String raw, boolean plusIsSpace) throws HttpFailure {
        byte[] out = new byte[raw.length()];
        int n = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
                if (lo < 0) {
                    throw HttpFailure.badRequest("bad percent-escape at: " + raw.substring(i, Math.min(i + 3, raw.length())));
                }
                out[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else if (c > 0x7e || c < 0x20) {
                throw HttpFailure.badRequest("characters outside printable ASCII must be percent-encoded");
            } else {
                out[n++] = (byte) (plusIsSpace && c == '+' ? ' ' : c);
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    static String strictUtf8(byte[] bytes) throws HttpFailure {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw HttpFailure.badRequest("not valid UTF-8 once percent-decoded");
        }
    }

    private static void checkSegments(String text) throws HttpFailure {
        if (text.indexOf('\0') >= 0) {
            throw HttpFailure.badRequest("a key may not contain NUL (%00)");
        }
        int segmentStart = 1;
        for (int i = 1; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '/') {
                int length = i - segmentStart;
                boolean dots = (length == 1 || length == 2) && text.charAt(segmentStart) == '.' && text.charAt(i - 1) == '.';
                if (dots) {
                    throw HttpFailure.badRequest("a key may not have a . or .. path segment");
                }
                segmentStart = i + 1;
            }
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
