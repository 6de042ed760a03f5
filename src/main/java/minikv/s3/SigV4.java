package minikv.s3;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks AWS Signature Version 4 on a request's line and headers, in both forms: the
 * {@code Authorization} header and the presigned query ({@code X-Amz-Signature}). The body is
 * checked as it is read ({@link Payload}), with what {@link Verified} hands on. Pure logic:
 * the caller gives the request's parts and the clock.
 *
 * <p>The canonical request is rebuilt from what arrived: the path and query are decoded and
 * encoded again the way AWS encodes them, so a client that escapes a little more or less than
 * AWS does (rclone's {@code ~}, curl's raw {@code +}) still matches.
 */
public final class SigV4 {

    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    public static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    static final Duration MAX_SKEW = Duration.ofMinutes(15);
    private static final long MAX_EXPIRES_SECONDS = 7 * 24 * 3600;
    static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    /** A request's headers, by lower-case name: every value of the name, in order, or an empty list. */
    @FunctionalInterface
    public interface Headers {
        List<String> all(String lowerCaseName);

        default String first(String lowerCaseName) {
            List<String> values = all(lowerCaseName);
            return values.isEmpty() ? null : values.get(0);
        }
    }

    /** What the signature covers: the method, the path and query as sent (still percent-encoded), the headers. */
    public record Request(String method, String rawPath, String rawQuery, Headers headers) {}

    /**
     * A request whose signature holds: who sent it and what its body's check needs.
     *
     * @param payloadHash the {@code x-amz-content-sha256} value (UNSIGNED-PAYLOAD when presigned)
     */
    public record Verified(String accessKeyId, byte[] signingKey, String amzDate, String scope, String signature,
                           String payloadHash) {}

    private final S3Credentials credentials;
    private final Clock clock;
    private final SigningKeys signingKeys = new SigningKeys();

    public SigV4(S3Credentials credentials, Clock clock) {
        this.credentials = credentials;
        this.clock = clock;
    }

    /**
     * Signing keys by secret, date and region: four HMACs a request saved, as a client signs
     * with the same key all day. Bounded: cleared when it holds more than a few per user.
     */
    private static final class SigningKeys {
        private static final int MAX = 1024;
        private final java.util.concurrent.ConcurrentHashMap<String, byte[]> keys = new java.util.concurrent.ConcurrentHashMap<>();

        byte[] of(String secret, String date, String region) {
            String id = date + '/' + region + '/' + secret;
            byte[] key = keys.get(id);
            if (key == null) {
                if (keys.size() >= MAX) {
                    keys.clear();
                }
                key = signingKey(secret, date, region);
                keys.put(id, key);
            }
            return key;
        }
    }

    /** @throws S3Error AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch, RequestTimeTooSkewed, ... */
    public Verified verify(Request request) throws S3Error {
        Map<String, String> query = decodeQuery(request.rawQuery());
        String authorization = request.headers().first("authorization");
        if (authorization != null) {
            return verifyHeader(request, authorization, query);
        }
        if (query.containsKey("X-Amz-Signature")) {
            return verifyPresigned(request, query);
        }
        if (query.containsKey("Signature") || query.containsKey("AWSAccessKeyId")) {
            throw new S3Error(400, "InvalidRequest", "signature version 2 is not supported: sign with AWS4-HMAC-SHA256");
        }
        throw S3Error.accessDenied("Anonymous access is not allowed: sign requests with AWS Signature Version 4");
    }

    private Verified verifyHeader(Request request, String authorization, Map<String, String> query) throws S3Error {
        if (!authorization.startsWith(ALGORITHM + " ")) {
            throw new S3Error(400, "InvalidRequest", "unsupported authorization type: sign with " + ALGORITHM);
        }
        Map<String, String> fields = new HashMap<>();
        for (String part : authorization.substring(ALGORITHM.length() + 1).split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                fields.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
            }
        }
        String credential = required(fields, "Credential");
        String signedHeaders = required(fields, "SignedHeaders");
        String signature = required(fields, "Signature");
        String amzDate = request.headers().first("x-amz-date");
        if (amzDate == null) {
            throw S3Error.accessDenied("AWS authentication requires a valid Date or x-amz-date header");
        }
        Instant time = parseAmzDate(amzDate);
        Duration skew = Duration.between(time, clock.instant()).abs();
        if (skew.compareTo(MAX_SKEW) > 0) {
            throw new S3Error(403, "RequestTimeTooSkewed",
                    "The difference between the request time and the server's time is too large (" + skew.toSeconds() + " s)");
        }
        String payloadHash = request.headers().first("x-amz-content-sha256");
        if (payloadHash == null) {
            throw S3Error.badRequest("InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
        }
        return check(request, query, credential, signedHeaders, signature, amzDate, payloadHash);
    }

    private Verified verifyPresigned(Request request, Map<String, String> query) throws S3Error {
        if (!ALGORITHM.equals(query.get("X-Amz-Algorithm"))) {
            throw new S3Error(400, "AuthorizationQueryParametersError", "X-Amz-Algorithm must be " + ALGORITHM);
        }
        String amzDate = requiredParameter(query, "X-Amz-Date");
        Instant time = parseAmzDate(amzDate);
        long expires;
        try {
            expires = Long.parseLong(requiredParameter(query, "X-Amz-Expires"));
        } catch (NumberFormatException e) {
            throw new S3Error(400, "AuthorizationQueryParametersError", "X-Amz-Expires must be a number of seconds");
        }
        if (expires < 0 || expires > MAX_EXPIRES_SECONDS) {
            throw S3Error.accessDenied("X-Amz-Expires must be between 0 and " + MAX_EXPIRES_SECONDS + " seconds");
        }
        Instant now = clock.instant();
        if (now.isAfter(time.plusSeconds(expires))) {
            throw S3Error.accessDenied("Request has expired");
        }
        if (time.isAfter(now.plus(MAX_SKEW))) {
            throw S3Error.accessDenied("Request is not valid yet");
        }
        String payloadHash = query.getOrDefault("X-Amz-Content-Sha256", UNSIGNED_PAYLOAD);
        return check(request, query, requiredParameter(query, "X-Amz-Credential"),
                requiredParameter(query, "X-Amz-SignedHeaders"), requiredParameter(query, "X-Amz-Signature"), amzDate,
                payloadHash);
    }

    private Verified check(Request request, Map<String, String> query, String credential, String signedHeaders,
            String signature, String amzDate, String payloadHash) throws S3Error {
        String[] scopeParts = credential.split("/", -1);
        if (scopeParts.length != 5 || !"s3".equals(scopeParts[3]) || !"aws4_request".equals(scopeParts[4])) {
            throw new S3Error(400, "AuthorizationHeaderMalformed",
                    "the credential must be ACCESS_KEY_ID/DATE/REGION/s3/aws4_request, not " + credential);
        }
        if (!amzDate.startsWith(scopeParts[1])) {
            throw new S3Error(400, "AuthorizationHeaderMalformed", "the credential's date " + scopeParts[1]
                    + " is not the request's date " + amzDate.substring(0, Math.min(8, amzDate.length())));
        }
        String secret = credentials.secretOf(scopeParts[0]);
        if (secret == null) {
            throw new S3Error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
        }
        String scope = String.join("/", scopeParts[1], scopeParts[2], scopeParts[3], scopeParts[4]);
        String canonical = canonicalRequest(request, query, signedHeaders, payloadHash);
        String toSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + Hashes.sha256Hex(canonical);
        byte[] key = signingKeys.of(secret, scopeParts[1], scopeParts[2]);
        String expected = Hashes.hex(Hashes.hmac(key, toSign));
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII))) {
            throw S3Error.signatureMismatch();
        }
        return new Verified(scopeParts[0], key, amzDate, scope, signature, payloadHash);
    }

    static byte[] signingKey(String secret, String date, String region) {
        byte[] key = Hashes.hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        key = Hashes.hmac(key, region);
        key = Hashes.hmac(key, "s3");
        return Hashes.hmac(key, "aws4_request");
    }

    static String canonicalRequest(Request request, Map<String, String> query, String signedHeaders, String payloadHash)
            throws S3Error {
        StringBuilder out = new StringBuilder(256).append(request.method()).append('\n');
        String path = request.rawPath().isEmpty() ? "/" : request.rawPath();
        out.append(UriEncoding.encode(UriEncoding.decode(path), false)).append('\n');
        List<String> pairs = new ArrayList<>();
        for (Map.Entry<String, String> e : query.entrySet()) {
            if (!e.getKey().equals("X-Amz-Signature")) {
                pairs.add(UriEncoding.encode(e.getKey()) + "=" + UriEncoding.encode(e.getValue()));
            }
        }
        pairs.sort(null); // an encoded name never holds '=', so this sorts by name, then value
        out.append(String.join("&", pairs)).append('\n');
        for (String name : signedHeaders.split(";")) {
            List<String> values = request.headers().all(name);
            if (values.isEmpty()) {
                throw S3Error.accessDenied("a signed header is missing from the request: " + name);
            }
            out.append(name).append(':');
            for (int i = 0; i < values.size(); i++) {
                out.append(i == 0 ? "" : ",");
                collapseSpaces(out, asSent(values.get(i)).strip());
            }
            out.append('\n');
        }
        return out.append('\n').append(signedHeaders).append('\n').append(payloadHash).toString();
    }

    /**
     * A header value as the client signed it: HTTP servers read header bytes as ISO-8859-1,
     * while clients sign the UTF-8 text they sent (a non-ASCII x-amz-meta-* value).
     */
    private static String asSent(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) >= 0x80) {
                return new String(value.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            }
        }
        return value;
    }

    /** Appends {@code value} with each run of spaces made one, as SigV4 canonicalizes a header value. */
    private static void collapseSpaces(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != ' ' || value.charAt(i - 1) != ' ') { // strip() left no space at the start
                out.append(c);
            }
        }
    }

    /** Query parameters by decoded name; a name without {@code =} has the empty value. */
    public static Map<String, String> decodeQuery(String rawQuery) throws S3Error {
        Map<String, String> query = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return query;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = UriEncoding.decodeText(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : UriEncoding.decodeText(pair.substring(eq + 1));
            query.put(name, value);
        }
        return query;
    }

    private static Instant parseAmzDate(String text) throws S3Error {
        try {
            return LocalDateTime.parse(text, AMZ_DATE).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw S3Error.accessDenied("X-Amz-Date must be in the form 20260101T000000Z, not " + text);
        }
    }

    private static String required(Map<String, String> fields, String name) throws S3Error {
        String value = fields.get(name);
        if (value == null || value.isEmpty()) {
            throw new S3Error(400, "AuthorizationHeaderMalformed", "the Authorization header has no " + name);
        }
        return value;
    }

    private static String requiredParameter(Map<String, String> query, String name) throws S3Error {
        String value = query.get(name);
        if (value == null || value.isEmpty()) {
            throw new S3Error(400, "AuthorizationQueryParametersError", "the presigned URL has no " + name);
        }
        return value;
    }
}
