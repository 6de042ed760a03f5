package minikv.s3;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class S3AddressTest {

    @Test
    void pathStyleNamesTheBucketInThePath() throws S3Error {
        assertEquals(new S3Address(null, null), S3Address.of("127.0.0.1:9000", "/", "localhost"));
        assertEquals(new S3Address("b", null), S3Address.of("127.0.0.1:9000", "/b", "localhost"));
        assertEquals(new S3Address("b", null), S3Address.of("127.0.0.1:9000", "/b/", "localhost"));
        assertEquals(new S3Address("b", "dir/a%20key"), S3Address.of("127.0.0.1:9000", "/b/dir/a%20key", "localhost"));
    }

    @Test
    void virtualHostedStyleNamesItInTheHost() throws S3Error {
        assertEquals(new S3Address("photos", "2026/a.jpg"), S3Address.of("photos.localhost:9000", "/2026/a.jpg", "localhost"));
        assertEquals(new S3Address("photos", null), S3Address.of("Photos.S3.Example.com", "/", "s3.example.com"));
        assertEquals(new S3Address("localhost", null), S3Address.of("localhost:9000", "/localhost", "localhost"),
                "the endpoint's own name is path style");
    }

    @Test
    void bucketNamesFollowS3sRules() {
        for (String good : List.of("abc", "my-bucket.2026", "a".repeat(63))) {
            assertDoesNotThrow(() -> S3Address.checkBucketName(good), good);
        }
        for (String bad : List.of("ab", "a".repeat(64), "Upper", "under_score", "-start", "end-", "a..b", "192.168.1.1")) {
            S3Error e = assertThrows(S3Error.class, () -> S3Address.checkBucketName(bad), bad);
            assertEquals("InvalidBucketName", e.code());
        }
    }
}
