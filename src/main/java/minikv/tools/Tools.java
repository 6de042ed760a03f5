package minikv.tools;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** What the tools' commands share at startup. */
final class Tools {

    private Tools() {
    }

    /** Xodus announces itself at INFO on every open; the tools print their own lines. */
    static void quietLibraryLogs() {
        for (String logger : List.of("jetbrains.exodus")) {
            System.setProperty("org.slf4j.simpleLogger.log." + logger, "warn");
        }
    }

    /** {@code $TMPDIR/minikv-STEP-<hash of settings>}: where a tool keeps what a run with these settings resumes from. */
    static Path tempPathFor(String step, String settings) {
        return Path.of(System.getProperty("java.io.tmpdir"), "minikv-" + step + "-" + sha256Hex(settings).substring(0, 16));
    }

    /** The SHA-256 of {@code text}: settings may hold a database password, which no file may show. */
    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
