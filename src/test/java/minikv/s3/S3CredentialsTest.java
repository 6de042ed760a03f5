package minikv.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S3CredentialsTest {

    @TempDir
    Path dir;

    @Test
    void everyPairIsAUserAndCommentsAndBlankLinesAreSkipped() throws Exception {
        S3Credentials users = S3Credentials.read(file("# operators\nAKID1 secret1\n\n  AKID2\tsecret2  \n", "rw-------"));
        assertEquals(2, users.users());
        assertEquals("secret2", users.secretOf("AKID2"));
        assertNull(users.secretOf("secret1"));
    }

    @Test
    void aMissingEmptyWorldReadableOrMalformedFileIsAClearError() throws Exception {
        assertMessage("does not exist", dir.resolve("nope"));
        assertMessage("holds no ACCESS_KEY_ID SECRET_ACCESS_KEY pair", file("# nothing yet\n", "rw-------"));
        assertMessage("readable by anyone", file("AKID secret\n", "rw-r--r--"));
        assertMessage("line 2: expected ACCESS_KEY_ID SECRET_ACCESS_KEY, found 3 words", file("A b\nA b c\n", "rw-------"));
        assertMessage("line 2: access key A given twice", file("A b\nA c\n", "rw-------"));
    }

    private void assertMessage(String expected, Path file) {
        String message = assertThrows(IllegalArgumentException.class, () -> S3Credentials.read(file)).getMessage();
        assertTrue(message.contains(expected), message);
    }

    private Path file(String text, String permissions) throws Exception {
        Path file = Files.createTempFile(dir, "credentials", "");
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }
}
