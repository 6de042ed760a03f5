package minikv.s3;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A request body as {@code x-amz-content-sha256} describes it, decoded and checked as it is
 * read: a hex SHA-256, UNSIGNED-PAYLOAD, or one of the {@code aws-chunked} STREAMING forms, with
 * or without signed chunks and a checksum trailer; and {@code Content-MD5} and {@code
 * x-amz-checksum-*} headers. Every check runs before the stream reports its end, so a reader
 * that keeps nothing until the end (the index holds back a value's last byte) keeps nothing
 * that failed.
 */
public final class Payload {

    private static final String SIGNED_CHUNKS = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    private static final String SIGNED_CHUNKS_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    private static final String UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    private static final String CHECKSUM_PREFIX = "x-amz-checksum-";

    private Payload() {
    }

    /** True if the body comes {@code aws-chunked}, so its length is {@code x-amz-decoded-content-length}. */
    public static boolean chunked(SigV4.Verified auth) {
        return auth.payloadHash().startsWith("STREAMING-");
    }

    /**
     * The length of the decoded body: {@code x-amz-decoded-content-length} for a chunked one,
     * else {@code contentLength} (-1 when the request gave none).
     *
     * @throws S3Error when a chunked body does not say its decoded length
     */
    public static long length(SigV4.Verified auth, SigV4.Headers headers, long contentLength) throws S3Error {
        if (!chunked(auth)) {
            return contentLength;
        }
        long length = declaredLength(headers);
        if (length >= 0) {
            return length;
        }
        throw new S3Error(411, "MissingContentLength", "an aws-chunked body needs x-amz-decoded-content-length");
    }

    /**
     * The decoded body of a request signed as {@code auth}.
     *
     * @throws S3Error for an x-amz-content-sha256, Content-MD5 or checksum that cannot be right
     */
    public static InputStream open(InputStream raw, SigV4.Verified auth, SigV4.Headers headers) throws S3Error {
        String hash = auth.payloadHash();
        List<BodyCheck> checks = new ArrayList<>();
        InputStream body;
        AwsChunkedInput chunks = null;
        switch (hash) {
            case SigV4.UNSIGNED_PAYLOAD -> body = raw;
            case SIGNED_CHUNKS -> body = chunks = new AwsChunkedInput(raw, auth, false, declaredLength(headers));
            case SIGNED_CHUNKS_TRAILER -> body = chunks = new AwsChunkedInput(raw, auth, true, declaredLength(headers));
            case UNSIGNED_TRAILER -> body = chunks = new AwsChunkedInput(raw, null, true, declaredLength(headers));
            default -> {
                if (hash.startsWith("STREAMING-")) {
                    throw S3Error.badRequest("InvalidArgument", "x-amz-content-sha256 " + hash + " is not supported");
                }
                checks.add(BodyCheck.sha256Hex(hash));
                body = raw;
            }
        }
        String md5 = headers.first("content-md5");
        if (md5 != null) {
            checks.add(BodyCheck.contentMd5(md5));
        }
        String trailer = headers.first("x-amz-trailer");
        if (trailer != null) {
            String name = trailer.strip().toLowerCase(Locale.ROOT);
            if (chunks == null || !name.startsWith(CHECKSUM_PREFIX)) {
                throw S3Error.badRequest("InvalidRequest", "x-amz-trailer " + trailer
                        + " needs a STREAMING-...-TRAILER body and must name an x-amz-checksum-* trailer");
            }
            AwsChunkedInput source = chunks;
            checks.add(BodyCheck.checksum(name.substring(CHECKSUM_PREFIX.length()), () -> source.trailer(name)));
        }
        for (String algorithm : new String[] {"crc32", "crc32c", "crc64nvme", "sha1", "sha256"}) {
            String value = headers.first(CHECKSUM_PREFIX + algorithm);
            if (value != null) {
                checks.add(BodyCheck.checksum(algorithm, () -> value));
            }
        }
        return checks.isEmpty() ? body : new CheckedInput(body, checks);
    }

    /** x-amz-decoded-content-length, or -1 when absent or not a length (a write refuses it, see {@link #length}). */
    private static long declaredLength(SigV4.Headers headers) {
        try {
            return Math.max(-1, Long.parseLong(String.valueOf(headers.first("x-amz-decoded-content-length")).strip()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Feeds each check as the body passes, and runs them all before reporting its end. */
    private static final class CheckedInput extends BlockInput {
        private final InputStream in;
        private final List<BodyCheck> checks;
        private boolean verified;

        CheckedInput(InputStream in, List<BodyCheck> checks) {
            this.in = in;
            this.checks = checks;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                for (BodyCheck check : checks) {
                    check.update(buffer, offset, n);
                }
            } else if (n < 0 && !verified) {
                for (BodyCheck check : checks) {
                    check.verify();
                }
                verified = true;
            }
            return n;
        }
    }
}
