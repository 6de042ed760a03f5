package minikv.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** SigV4 and the body checks, against requests signed by the AWS SDK's own signer. */
class SigV4Test {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final S3Credentials USERS = S3Credentials.parse("test", List.of("AKIDEXAMPLE secret/with+odd=chars"));
    private static final byte[] BODY = "a value that goes through S3\n".repeat(5000).getBytes(StandardCharsets.UTF_8);

    private final SigV4 sigV4 = new SigV4(USERS, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aSignedHeaderRequestWithAHexPayloadHashPassesAndItsBodyIsChecked() throws Exception {
        SignedRequest signed = sign("/bucket/a%20key%2Bplus~", NOW, BODY, s -> { });
        assertArrayEquals(BODY, readBody(signed));
        assertThrows(BodyRejected.class, () -> readBody(signed, tampered(BODY)), "a body that is not the signed one");
    }

    @Test
    void anyChangeToWhatWasSignedIsASignatureMismatch() {
        SignedRequest signed = sign("/bucket/key", NOW, BODY, s -> { });
        S3Error error = assertThrows(S3Error.class, () -> sigV4.verify(request(signed, "PUT", "/bucket/other", null)));
        assertEquals("SignatureDoesNotMatch", error.code());
        assertEquals(403, error.status());
    }

    @Test
    void anUnknownKeyAWrongSecretAndNoSignatureAreRefused() {
        SignedRequest stranger = sign("/bucket/key", NOW, BODY, s -> s.identity(AwsBasicCredentials.create("NOBODY", "x")));
        assertEquals("InvalidAccessKeyId", assertThrows(S3Error.class, () -> verify(stranger)).code());
        SignedRequest wrongSecret = sign("/bucket/key", NOW, BODY,
                s -> s.identity(AwsBasicCredentials.create("AKIDEXAMPLE", "guess")));
        assertEquals("SignatureDoesNotMatch", assertThrows(S3Error.class, () -> verify(wrongSecret)).code());
        SigV4.Request anonymous = new SigV4.Request("GET", "/bucket/key", "", name -> List.of());
        assertEquals("AccessDenied", assertThrows(S3Error.class, () -> sigV4.verify(anonymous)).code());
    }

    @Test
    void aRequestSignedMoreThanFifteenMinutesAwayIsTooSkewed() {
        SignedRequest early = sign("/bucket/key", NOW.minus(Duration.ofMinutes(16)), BODY, s -> { });
        assertEquals("RequestTimeTooSkewed", assertThrows(S3Error.class, () -> verify(early)).code());
        SignedRequest withinSkew = sign("/bucket/key", NOW.minus(Duration.ofMinutes(14)), BODY, s -> { });
        assertEquals("AKIDEXAMPLE", assertDoesNotThrow(withinSkew).accessKeyId());
    }

    @Test
    void aPresignedUrlPassesUntilItExpires() throws Exception {
        Consumer<SignRequest.Builder<AwsCredentialsIdentity>> presign = s -> s
                .putProperty(AwsV4HttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, Duration.ofMinutes(5))
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false);
        SignedRequest signed = sign("GET", "/bucket/key", NOW, null, presign);
        assertEquals(SigV4.UNSIGNED_PAYLOAD, verify(signed).payloadHash());

        SigV4 later = new SigV4(USERS, Clock.fixed(NOW.plus(Duration.ofMinutes(6)), ZoneOffset.UTC));
        S3Error expired = assertThrows(S3Error.class, () -> later.verify(request(signed, "GET", null, null)));
        assertEquals("AccessDenied", expired.code());
        assertEquals("Request has expired", expired.getMessage());
    }

    @Test
    void signedChunksPassAndAChangedChunkIsRefused() throws Exception {
        Consumer<SignRequest.Builder<AwsCredentialsIdentity>> chunked = s -> s
                .putProperty(AwsV4HttpSigner.CHUNK_ENCODING_ENABLED, true);
        SignedRequest signed = sign("/bucket/key", NOW, BODY, chunked);
        assertEquals("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", signed.request().firstMatchingHeader("x-amz-content-sha256").orElseThrow());
        byte[] encoded = encoded(signed);
        assertArrayEquals(BODY, readBody(signed, encoded));

        byte[] changed = encoded.clone();
        changed[changed.length / 2] ^= 1; // a byte of data in the middle
        BodyRejected rejected = assertThrows(BodyRejected.class, () -> readBody(signed, changed));
        assertEquals("SignatureDoesNotMatch", rejected.error().code());
    }

    @Test
    void signedChunksWithAChecksumTrailerPass() throws Exception {
        for (var algorithm : List.of(DefaultChecksumAlgorithm.CRC32, DefaultChecksumAlgorithm.CRC32C,
                DefaultChecksumAlgorithm.SHA1, DefaultChecksumAlgorithm.SHA256)) { // CRC64NVME needs the SDK's native CRT
            SignedRequest signed = sign("/bucket/key", NOW, BODY, s -> s
                    .putProperty(AwsV4HttpSigner.CHUNK_ENCODING_ENABLED, true)
                    .putProperty(AwsV4HttpSigner.CHECKSUM_ALGORITHM, algorithm));
            assertArrayEquals(BODY, readBody(signed), algorithm.algorithmId());
        }
    }

    @Test
    void anUnsignedPayloadWithAChecksumTrailerIsCheckedAgainstTheTrailer() throws Exception {
        // The SDK leaves a payload unsigned only over HTTPS; the scheme is not part of what is signed.
        SignedRequest signed = sign("PUT", "https:/bucket/key", NOW, BODY, s -> s
                .putProperty(AwsV4HttpSigner.CHUNK_ENCODING_ENABLED, true)
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                .putProperty(AwsV4HttpSigner.CHECKSUM_ALGORITHM, DefaultChecksumAlgorithm.CRC32));
        assertEquals("STREAMING-UNSIGNED-PAYLOAD-TRAILER", signed.request().firstMatchingHeader("x-amz-content-sha256").orElseThrow());
        byte[] encoded = encoded(signed);
        assertArrayEquals(BODY, readBody(signed, encoded));

        byte[] changed = encoded.clone();
        changed[changed.length / 2] ^= 1;
        assertEquals("BadDigest", assertThrows(BodyRejected.class, () -> readBody(signed, changed)).error().code());
    }

    /** The index tells the volumes the decoded length: a body of any other length must not pass as that value. */
    @Test
    void chunksThatAddUpToMoreOrLessThanTheDecodedLengthAreRefused() throws Exception {
        SignedRequest signed = sign("/bucket/key", NOW, BODY, s -> s.putProperty(AwsV4HttpSigner.CHUNK_ENCODING_ENABLED, true));
        byte[] encoded = encoded(signed);
        SigV4.Verified auth = verify(signed);
        SigV4.Headers sent = headers(signed.request());
        for (long declared : new long[] {BODY.length + 1, BODY.length - 1, 0}) {
            SigV4.Headers headers = name -> name.equals("x-amz-decoded-content-length")
                    ? List.of(Long.toString(declared)) : sent.all(name);
            BodyRejected rejected = assertThrows(BodyRejected.class, () -> {
                try (InputStream body = Payload.open(new ByteArrayInputStream(encoded), auth, headers)) {
                    body.readAllBytes();
                }
            });
            assertEquals(declared > BODY.length ? "IncompleteBody" : "InvalidRequest", rejected.error().code(),
                    declared + " declared: " + rejected.getMessage());
        }
    }

    @Test
    void aContentMd5ThatDoesNotMatchIsABadDigest() throws Exception {
        String wrongMd5 = java.util.Base64.getEncoder().encodeToString(new byte[16]);
        SignedRequest signed = sign("/bucket/key", NOW, BODY, s -> { }, Map.of("Content-MD5", wrongMd5));
        assertEquals("BadDigest", assertThrows(BodyRejected.class, () -> readBody(signed)).error().code());
    }

    @Test
    void crc64nvmeHasItsCheckValue() {
        Crc64Nvme crc = new Crc64Nvme();
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        crc.update(check, 0, check.length);
        assertEquals(0xae8b14860a799888L, crc.value());
    }

    // --- helpers: the SDK signs, SigV4 and Payload check ---

    private SigV4.Verified assertDoesNotThrow(SignedRequest signed) {
        return org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> verify(signed));
    }

    private SigV4.Verified verify(SignedRequest signed) throws S3Error {
        return sigV4.verify(request(signed, null, null, null));
    }

    private byte[] readBody(SignedRequest signed) throws Exception {
        return readBody(signed, encoded(signed));
    }

    private byte[] readBody(SignedRequest signed, byte[] wire) throws Exception {
        SigV4.Verified auth = verify(signed);
        SigV4.Headers headers = headers(signed.request());
        try (InputStream body = Payload.open(new ByteArrayInputStream(wire), auth, headers)) {
            byte[] decoded = body.readAllBytes();
            assertEquals(Payload.length(auth, headers, wire.length), decoded.length);
            return decoded;
        }
    }

    private static byte[] encoded(SignedRequest signed) throws IOException {
        try (InputStream in = signed.payload().orElseThrow().newStream()) {
            return in.readAllBytes();
        }
    }

    private static byte[] tampered(byte[] body) {
        byte[] copy = body.clone();
        copy[7] ^= 1;
        return copy;
    }

    private static SigV4.Request request(SignedRequest signed, String method, String path, String query) {
        SdkHttpRequest r = signed.request();
        String rawQuery = query != null ? query : r.encodedQueryParameters().orElse("");
        return new SigV4.Request(method != null ? method : r.method().name(), path != null ? path : r.encodedPath(),
                rawQuery, headers(r));
    }

    private static SigV4.Headers headers(SdkHttpRequest r) {
        return name -> {
            List<String> values = new ArrayList<>();
            r.headers().forEach((header, all) -> {
                if (header.toLowerCase(Locale.ROOT).equals(name)) {
                    values.addAll(all);
                }
            });
            if (values.isEmpty() && name.equals("host")) {
                values.add(r.host() + (r.port() == 80 ? "" : ":" + r.port()));
            }
            return values;
        };
    }

    private static SignedRequest sign(String path, Instant at, byte[] body, Consumer<SignRequest.Builder<AwsCredentialsIdentity>> more) {
        return sign("PUT", path, at, body, more, Map.of());
    }

    private static SignedRequest sign(String path, Instant at, byte[] body, Consumer<SignRequest.Builder<AwsCredentialsIdentity>> more,
            Map<String, String> extraHeaders) {
        return sign("PUT", path, at, body, more, extraHeaders);
    }

    private static SignedRequest sign(String method, String path, Instant at, byte[] body,
            Consumer<SignRequest.Builder<AwsCredentialsIdentity>> more) {
        return sign(method, path, at, body, more, Map.of());
    }

    private static SignedRequest sign(String method, String path, Instant at, byte[] body,
            Consumer<SignRequest.Builder<AwsCredentialsIdentity>> more, Map<String, String> extraHeaders) {
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method))
                .uri(URI.create(path.startsWith("https:") ? "https://127.0.0.1:9000" + path.substring(6)
                        : "http://127.0.0.1:9000" + path));
        if (body != null) {
            request.putHeader("Content-Length", Integer.toString(body.length));
        }
        extraHeaders.forEach(request::putHeader);
        return AwsV4HttpSigner.create().sign(s -> {
            s.identity(AwsBasicCredentials.create("AKIDEXAMPLE", "secret/with+odd=chars"))
                    .request(request.build())
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                    .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                    .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                    .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC));
            if (body != null) {
                s.payload(ContentStreamProvider.fromByteArray(body));
            }
            more.accept(s);
        });
    }
}
