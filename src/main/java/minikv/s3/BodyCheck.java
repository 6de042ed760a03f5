package minikv.s3;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/** One digest of a body, compared at its end with what the client said it would be. */
abstract class BodyCheck {

    abstract void update(byte[] bytes, int offset, int length);

    /** @throws BodyRejected if the body is not what the client said */
    abstract void verify() throws BodyRejected;

    /** {@code x-amz-content-sha256} as 64 hex digits. */
    static BodyCheck sha256Hex(String expectedHex) throws S3Error {
        byte[] expected;
        try {
            expected = HexFormat.of().parseHex(expectedHex);
        } catch (IllegalArgumentException e) {
            expected = new byte[0];
        }
        if (expected.length != 32) {
            throw S3Error.badRequest("InvalidArgument", "x-amz-content-sha256 must be 64 hex digits, UNSIGNED-PAYLOAD or a"
                    + " STREAMING- form, not " + expectedHex);
        }
        byte[] want = expected;
        return digest("SHA-256", () -> want, new S3Error(400, "XAmzContentSHA256Mismatch",
                "The provided 'x-amz-content-sha256' header does not match what was computed."));
    }

    /** {@code Content-MD5}: base64 of the 16 bytes. */
    static BodyCheck contentMd5(String base64) throws S3Error {
        byte[] expected;
        try {
            expected = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            expected = new byte[0];
        }
        if (expected.length != 16) {
            throw S3Error.badRequest("InvalidDigest", "The Content-MD5 you specified is not valid.");
        }
        byte[] want = expected;
        return digest("MD5", () -> want,
                S3Error.badRequest("BadDigest", "The Content-MD5 you specified did not match what we received."));
    }

    /**
     * An {@code x-amz-checksum-ALGORITHM} value (base64), from a header or, read only once the
     * body has ended, a trailer.
     *
     * @throws S3Error for an algorithm minikv does not know
     */
    static BodyCheck checksum(String algorithm, Supplier<String> expectedBase64) throws S3Error {
        S3Error mismatch = S3Error.badRequest("BadDigest", "The " + algorithm.toUpperCase(java.util.Locale.ROOT)
                + " you specified did not match the calculated checksum.");
        Supplier<byte[]> expected = () -> {
            String value = expectedBase64.get();
            try {
                return value == null ? null : Base64.getDecoder().decode(value.strip());
            } catch (IllegalArgumentException e) {
                return new byte[0];
            }
        };
        return switch (algorithm) {
            case "crc32" -> crc(new CRC32(), expected, mismatch);
            case "crc32c" -> crc(new CRC32C(), expected, mismatch);
            case "crc64nvme" -> crc64(expected, mismatch);
            case "sha1" -> digest("SHA-1", expected, mismatch);
            case "sha256" -> digest("SHA-256", expected, mismatch);
            default -> throw S3Error.badRequest("InvalidRequest", "checksum algorithm " + algorithm + " is not supported");
        };
    }

    private static BodyCheck digest(String algorithm, Supplier<byte[]> expected, S3Error mismatch) {
        MessageDigest digest = Hashes.digest(algorithm);
        return of(digest::update, digest::digest, expected, mismatch);
    }

    private static BodyCheck crc(Checksum crc, Supplier<byte[]> expected, S3Error mismatch) {
        return of(crc::update, () -> {
            long value = crc.getValue();
            return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        }, expected, mismatch);
    }

    private static BodyCheck crc64(Supplier<byte[]> expected, S3Error mismatch) {
        Crc64Nvme crc = new Crc64Nvme();
        return of(crc::update, crc::bytes, expected, mismatch);
    }

    private interface Update {
        void update(byte[] bytes, int offset, int length);
    }

    private static BodyCheck of(Update update, Supplier<byte[]> actual, Supplier<byte[]> expected, S3Error mismatch) {
        return new BodyCheck() {
            @Override
            void update(byte[] bytes, int offset, int length) {
                update.update(bytes, offset, length);
            }

            @Override
            void verify() throws BodyRejected {
                compare(actual.get(), expected.get(), mismatch);
            }
        };
    }

    private static void compare(byte[] actual, byte[] expected, S3Error mismatch) throws BodyRejected {
        if (expected == null) {
            throw new BodyRejected(S3Error.badRequest("InvalidRequest", "the body ended without its checksum trailer"));
        }
        if (!Arrays.equals(actual, expected)) {
            throw new BodyRejected(mismatch);
        }
    }
}
