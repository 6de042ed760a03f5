package minikv.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.function.LongSupplier;

/**
 * Signed read links ({@code --signed-reads}): the index appends {@code ?md5=SIG&expires=T} to the
 * replica URL it redirects to, and the volume's nginx (module {@code secure_link}) serves the
 * file only while the signature matches and {@code T}, in Unix seconds, has not passed.
 *
 * <p>Both sides of the formula live here so that they cannot drift apart:
 * {@code SIG = base64url(md5(T + path + " " + secret))}, without padding, where path is the
 * URL path as nginx decodes it ({@code $uri}); replica paths have no escapes, so it is the path
 * the index puts in the link. md5 is what {@code secure_link_md5} offers; the secret stays
 * private because it is only ever hashed together with a path and time the client cannot choose.
 */
public final class LinkSigner {

    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final ClusterSecret secret;
    private final long ttlSeconds;
    private final LongSupplier epochSeconds;

    /** @param ttl how long a link stays good; whole seconds, at least one */
    public LinkSigner(ClusterSecret secret, Duration ttl) {
        this(secret, ttl, () -> System.currentTimeMillis() / 1000);
    }

    LinkSigner(ClusterSecret secret, Duration ttl, LongSupplier epochSeconds) {
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("--link-ttl must be at least 1s, not " + ttl.toMillis() + "ms");
        }
        this.secret = secret;
        this.ttlSeconds = (ttl.toMillis() + 999) / 1000;
        this.epochSeconds = epochSeconds;
    }

    /** The query that makes {@code path} readable for the TTL: {@code ?md5=SIG&expires=T}. */
    public String query(String path) {
        long expires = epochSeconds.getAsLong() + ttlSeconds;
        return "?md5=" + signature(path, expires) + "&expires=" + expires;
    }

    String signature(String path, long expires) {
        MessageDigest md5;
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships MD5", e);
        }
        byte[] digest = md5.digest((expires + path + " " + secret.reveal()).getBytes(StandardCharsets.UTF_8));
        return BASE64URL.encodeToString(digest);
    }

    /**
     * The volume's side, for its nginx config: where nginx finds the signature and expiry, and
     * the string it hashes to check them. {@code $secure_link} is then empty for a missing or
     * wrong signature, {@code 0} for an expired link, {@code 1} for a good one.
     */
    public static String nginxDirectives(ClusterSecret secret) {
        return "secure_link $arg_md5,$arg_expires;\n"
                + "        secure_link_md5 \"$secure_link_expires$uri " + secret.reveal() + "\";";
    }
}
