package minikv.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The secret shared by the index and its volumes ({@code --secret-file}): volumes accept writes
 * only with it, and with {@code --signed-reads} it keys the signatures of read links.
 *
 * <p>It is written into the volumes' nginx config, inside a regular expression and a
 * {@code secure_link_md5} string, so only characters that mean nothing there are accepted:
 * letters, digits, {@code -} and {@code _} (what {@code openssl rand -hex 32} prints). Its
 * {@link #toString} never shows it, so that it cannot end up in a log by accident.
 */
public final class ClusterSecret {

    /** The request header that carries the secret from the index (or an operator tool) to a volume. */
    public static final String HEADER = "Minikv-Secret";
    static final int MIN_LENGTH = 16;
    static final int MAX_LENGTH = 1024;
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9_-]+");
    private static final String HOW_TO_MAKE_ONE = "make one with: openssl rand -hex 32 > FILE";

    private final String value;

    private ClusterSecret(String value) {
        this.value = value;
    }

    /**
     * Reads the secret from the file's first line (surrounding white space is dropped).
     *
     * @throws IllegalArgumentException saying what is wrong with the file, never what is in it
     */
    public static ClusterSecret read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("secret file " + file + " does not exist; " + HOW_TO_MAKE_ONE);
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("secret file " + file + " is not readable: permission denied");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read secret file " + file + ": " + e.getMessage());
        }
        try {
            return of(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("secret file " + file + ": " + e.getMessage());
        }
    }

    /** @throws IllegalArgumentException if the text cannot be a secret (the text is not repeated) */
    public static ClusterSecret of(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("the secret is empty; " + HOW_TO_MAKE_ONE);
        }
        if (text.length() < MIN_LENGTH || text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("the secret must be " + MIN_LENGTH + " to " + MAX_LENGTH
                    + " characters long, not " + text.length() + "; " + HOW_TO_MAKE_ONE);
        }
        if (!ALLOWED.matcher(text).matches()) {
            throw new IllegalArgumentException("the secret may hold only letters, digits, - and _ (it is written"
                    + " into the volumes' nginx config); " + HOW_TO_MAKE_ONE);
        }
        return new ClusterSecret(text);
    }

    /** The secret itself: for the volume's config and the index's requests only. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "ClusterSecret[hidden]";
    }
}
