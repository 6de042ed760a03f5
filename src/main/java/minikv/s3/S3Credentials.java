package minikv.s3;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The S3 users: a file with one {@code ACCESS_KEY_ID SECRET_ACCESS_KEY} pair a line, {@code #}
 * comments and blank lines allowed. Every pair is a valid user with every permission.
 */
public final class S3Credentials {

    private final Map<String, String> secrets;

    private S3Credentials(Map<String, String> secrets) {
        this.secrets = Map.copyOf(secrets);
    }

    /**
     * Reads {@code file}.
     *
     * @throws IllegalArgumentException with the reason when it is missing, readable by anyone,
     *         malformed or holds no pair
     */
    public static S3Credentials read(Path file) {
        List<String> lines;
        try {
            if (Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ)) {
                throw new IllegalArgumentException("--s3-credentials " + file + " is readable by anyone: it holds secret"
                        + " keys (chmod 600 " + file + ")");
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--s3-credentials " + file + " does not exist");
        } catch (UnsupportedOperationException e) {
            lines = readAnyway(file); // a file system without POSIX permissions
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --s3-credentials " + file + ": " + e.getMessage());
        }
        return parse(file.toString(), lines);
    }

    private static List<String> readAnyway(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --s3-credentials " + file + ": " + e.getMessage());
        }
    }

    /** @throws IllegalArgumentException naming {@code source} and the line at fault */
    static S3Credentials parse(String source, List<String> lines) {
        Map<String, String> secrets = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] pair = line.split("\\s+");
            if (pair.length != 2) {
                throw new IllegalArgumentException(source + " line " + (i + 1) + ": expected ACCESS_KEY_ID SECRET_ACCESS_KEY,"
                        + " found " + pair.length + " word" + (pair.length == 1 ? "" : "s"));
            }
            if (secrets.put(pair[0], pair[1]) != null) {
                throw new IllegalArgumentException(source + " line " + (i + 1) + ": access key " + pair[0] + " given twice");
            }
        }
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("--s3-credentials " + source + " holds no ACCESS_KEY_ID SECRET_ACCESS_KEY pair");
        }
        return new S3Credentials(secrets);
    }

    /** The secret of {@code accessKeyId}, or null for a key nobody was given. */
    public String secretOf(String accessKeyId) {
        return secrets.get(accessKeyId);
    }

    public int users() {
        return secrets.size();
    }
}
