package minikv.s3;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;

/**
 * The body of a request sent {@code aws-chunked}: {@code SIZE[;chunk-signature=SIG]\r\n DATA
 * \r\n} until a chunk of size 0, then trailer lines ({@code name:value\r\n}) and an empty line.
 * Hands on the data alone. When signed, each chunk's signature is checked at the chunk's end
 * against the one before it (the first against the request's), and the trailer's, if any,
 * against the last chunk's: a chunk that fails stops the body with {@link BodyRejected}. So
 * does a body whose chunks add up to more or less than its x-amz-decoded-content-length: the
 * index tells the volumes that length, and stores exactly that many bytes.
 */
final class AwsChunkedInput extends BlockInput {

    private static final int MAX_LINE = 4096;
    private static final String CHUNK_SIGNATURE = ";chunk-signature=";

    private final InputStream raw;
    /** Null for an unsigned body. */
    private final SigV4.Verified auth;
    private final boolean trailer;
    private final Map<String, String> trailers = new HashMap<>();
    private String previousSignature;
    private String chunkSignature;
    private MessageDigest chunkDigest;
    private long leftInChunk;
    /** x-amz-decoded-content-length, or -1 when not given. */
    private final long declared;
    /** The sizes of the chunks so far. */
    private long decoded;
    private boolean ended;

    AwsChunkedInput(InputStream raw, SigV4.Verified auth, boolean trailer, long declared) {
        this.raw = raw;
        this.declared = declared;
        this.auth = auth;
        this.trailer = trailer;
        this.previousSignature = auth == null ? null : auth.signature();
        this.chunkDigest = auth == null ? null : Hashes.digest("SHA-256");
    }

    /** A trailer's value by lower-case name, once the body has ended; else null. */
    String trailer(String name) {
        return trailers.get(name);
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (leftInChunk == 0) {
            if (ended) {
                return -1;
            }
            nextChunk();
        }
        int n = raw.read(buffer, offset, (int) Math.min(length, leftInChunk));
        if (n < 0) {
            throw malformed("the body ended inside a chunk");
        }
        if (chunkDigest != null) {
            chunkDigest.update(buffer, offset, n);
        }
        leftInChunk -= n;
        if (leftInChunk == 0) {
            expectCrlf();
            endChunk();
        }
        return n;
    }

    /** Reads the next chunk's header; at the last chunk, the trailers too. */
    private void nextChunk() throws IOException {
        String header = line();
        int semicolon = header.indexOf(';');
        String size = semicolon < 0 ? header : header.substring(0, semicolon);
        if (auth != null) {
            if (semicolon < 0 || !header.startsWith(CHUNK_SIGNATURE, semicolon)) {
                throw malformed("a signed chunk has no chunk-signature");
            }
            chunkSignature = header.substring(semicolon + CHUNK_SIGNATURE.length());
        }
        try {
            leftInChunk = Long.parseLong(size.strip(), 16);
        } catch (NumberFormatException e) {
            throw malformed("a chunk size is not hex: " + size);
        }
        if (leftInChunk < 0) {
            throw malformed("a chunk size is negative");
        }
        decoded += leftInChunk;
        if (declared >= 0 && decoded > declared) {
            throw new BodyRejected(S3Error.badRequest("InvalidRequest", "aws-chunked body: its chunks hold more than"
                    + " its x-amz-decoded-content-length of " + declared + " bytes"));
        }
        if (leftInChunk == 0 && declared >= 0 && decoded < declared) {
            throw malformed("its chunks hold " + decoded + " bytes, fewer than its x-amz-decoded-content-length of "
                    + declared);
        }
        if (leftInChunk == 0) {
            endChunk(); // the last chunk is signed as well
            if (trailer) {
                readTrailers();
            } else {
                expectCrlf();
            }
            ended = true;
        }
    }

    private void endChunk() throws BodyRejected {
        if (auth == null) {
            return;
        }
        String toSign = "AWS4-HMAC-SHA256-PAYLOAD\n" + auth.amzDate() + "\n" + auth.scope() + "\n" + previousSignature + "\n"
                + SigV4.EMPTY_SHA256 + "\n" + Hashes.hex(chunkDigest.digest());
        verifySignature(toSign, chunkSignature);
    }

    private void readTrailers() throws IOException {
        StringBuilder signed = new StringBuilder();
        String signature = null;
        for (String line = line(); !line.isEmpty(); line = line()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw malformed("a trailer line is not name:value");
            }
            String name = line.substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            if (name.equals("x-amz-trailer-signature")) {
                signature = value;
            } else {
                trailers.put(name, value);
                signed.append(name).append(':').append(value).append('\n');
            }
        }
        if (auth != null) {
            if (signature == null) {
                throw malformed("a signed body's trailer has no x-amz-trailer-signature");
            }
            String toSign = "AWS4-HMAC-SHA256-TRAILER\n" + auth.amzDate() + "\n" + auth.scope() + "\n" + previousSignature
                    + "\n" + Hashes.sha256Hex(signed.toString());
            verifySignature(toSign, signature);
        }
    }

    private void verifySignature(String toSign, String signature) throws BodyRejected {
        String expected = Hashes.hex(Hashes.hmac(auth.signingKey(), toSign));
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                String.valueOf(signature).getBytes(StandardCharsets.US_ASCII))) {
            throw new BodyRejected(S3Error.signatureMismatch());
        }
        previousSignature = expected;
    }

    private void expectCrlf() throws IOException {
        if (!line().isEmpty()) {
            throw malformed("a chunk is longer than its size");
        }
    }

    /** One line, without its CRLF (a bare LF is taken too). */
    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int c = raw.read();
            if (c < 0) {
                throw malformed("the body ended inside its chunk framing");
            }
            if (c == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            if (line.length() == MAX_LINE) {
                throw malformed("a chunk header or trailer line is longer than " + MAX_LINE + " bytes");
            }
            line.append((char) c);
        }
    }

    private static BodyRejected malformed(String why) {
        return new BodyRejected(S3Error.badRequest("IncompleteBody", "aws-chunked body: " + why));
    }
}
