package minikv.s3;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** The two ways S3 writes a time: ISO 8601 in XML, RFC 1123 in headers. */
public final class S3Time {

    private S3Time() {
    }

    /** {@code 2026-12-01T12:00:00.000Z}. */
    public static String iso(long epochMillis) {
        return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(epochMillis).truncatedTo(ChronoUnit.MILLIS))
                .replaceFirst("(:\\d\\d)Z$", "$1.000Z");
    }

    private static final DateTimeFormatter HTTP = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    /** {@code Tue, 01 Dec 2026 12:00:00 GMT}. */
    public static String http(long epochMillis) {
        return HTTP.format(Instant.ofEpochMilli(epochMillis));
    }

    /** An HTTP date header's time in epoch milliseconds, or -1 if it is not one. */
    public static long parseHttp(String text) {
        try {
            return ZonedDateTime.parse(text.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return -1;
        }
    }
}
