package minikv.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LinkSignerTest {

    private static final ClusterSecret SECRET = ClusterSecret.of("0123456789abcdef0123456789abcdef");
    private static final long NOW = 1_800_000_000L;

    @Test
    void theLinkExpiresAfterTheTtl() {
        LinkSigner signer = new LinkSigner(SECRET, Duration.ofSeconds(60), () -> NOW);

        String query = signer.query("/sv01/ab/cd/L2tleQ==");

        assertTrue(query.endsWith("&expires=" + (NOW + 60)), query);
        assertEquals("?md5=" + signer.signature("/sv01/ab/cd/L2tleQ==", NOW + 60) + "&expires=" + (NOW + 60), query);
    }

    /** The value nginx's secure_link_md5 "$secure_link_expires$uri SECRET" computes (checked with openssl). */
    @Test
    void theSignatureIsNginxsBase64UrlMd5OfExpiryPathAndSecret() {
        LinkSigner signer = new LinkSigner(SECRET, Duration.ofSeconds(60), () -> NOW);

        // printf '%s' "1800000060/ab/cd/x 0123456789abcdef0123456789abcdef" | openssl md5 -binary | base64 | tr +/ -_ | tr -d =
        assertEquals("B9KemFpfdNlbHdf88tmS-A", signer.signature("/ab/cd/x", NOW + 60));
    }

    @Test
    void anotherPathOrTimeSignsDifferently() {
        LinkSigner signer = new LinkSigner(SECRET, Duration.ofSeconds(60), () -> NOW);

        assertNotEquals(signer.signature("/ab/cd/x", NOW), signer.signature("/ab/cd/y", NOW));
        assertNotEquals(signer.signature("/ab/cd/x", NOW), signer.signature("/ab/cd/x", NOW + 1));
    }

    @Test
    void aPartSecondTtlRoundsUpAndLessThanASecondIsRefused() {
        assertTrue(new LinkSigner(SECRET, Duration.ofMillis(1500), () -> NOW).query("/p").endsWith("=" + (NOW + 2)));
        assertThrows(IllegalArgumentException.class, () -> new LinkSigner(SECRET, Duration.ofMillis(999)));
    }

    @Test
    void nginxHashesTheSameStringWithTheSecret() {
        assertEquals("secure_link $arg_md5,$arg_expires;\n"
                + "        secure_link_md5 \"$secure_link_expires$uri 0123456789abcdef0123456789abcdef\";",
                LinkSigner.nginxDirectives(SECRET));
    }
}
