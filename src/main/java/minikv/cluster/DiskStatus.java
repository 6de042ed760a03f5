package minikv.cluster;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The file system under a volume directory as the volume launcher last saw it. The launcher
 * writes it as a small JSON file that nginx serves at {@link #URL_PATH}; the index's probe reads
 * it, so one request tells the index that a volume is up, how fast it answers and how full it is.
 *
 * <pre>{"format":1,"time":"2026-11-23T10:15:02.123Z","total_bytes":…,"free_bytes":…,"used_bytes":…}</pre>
 * {@code free_bytes} is what an unprivileged writer can still use (the index's guard against a full
 * volume compares against it); {@code used_bytes} is everything allocated on the file system, by any
 * directory. Unknown fields are ignored, so later formats may add some.
 *
 * @param time when the launcher measured
 */
public record DiskStatus(Instant time, long totalBytes, long freeBytes, long usedBytes) {

    /** The one dot name a volume serves; every other name starting with a dot stays hidden. */
    public static final String URL_PATH = "/.minikv/status.json";
    /** Format 1 is the only one so far; a reader refuses formats it does not know. */
    static final int FORMAT = 1;
    private static final JsonFactory JSON = new JsonFactory();

    public DiskStatus {
        if (totalBytes < 0 || freeBytes < 0 || usedBytes < 0) {
            throw new IllegalArgumentException("disk sizes cannot be negative: total " + totalBytes + ", free "
                    + freeBytes + ", used " + usedBytes);
        }
    }

    public byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("format", FORMAT);
            json.writeStringField("time", time.toString());
            json.writeNumberField("total_bytes", totalBytes);
            json.writeNumberField("free_bytes", freeBytes);
            json.writeNumberField("used_bytes", usedBytes);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory", e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    /** @throws IllegalArgumentException if {@code json} is not a status of a known format */
    public static DiskStatus fromJson(byte[] json) {
        Instant time = null;
        long total = -1;
        long free = -1;
        long used = -1;
        int format = -1;
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("a volume status is a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "format" -> format = intValue(parser, value, field);
                    case "time" -> time = instant(parser, value);
                    case "total_bytes" -> total = longValue(parser, value, field);
                    case "free_bytes" -> free = longValue(parser, value, field);
                    case "used_bytes" -> used = longValue(parser, value, field);
                    default -> parser.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (format != FORMAT) {
            throw new IllegalArgumentException(format < 0 ? "no format field" : "unknown format " + format);
        }
        if (time == null || total < 0 || free < 0 || used < 0) {
            throw new IllegalArgumentException("time, total_bytes, free_bytes and used_bytes are all required");
        }
        return new DiskStatus(time, total, free, used);
    }

    private static long longValue(JsonParser parser, JsonToken token, String field) throws IOException {
        if (token != JsonToken.VALUE_NUMBER_INT) {
            throw new IllegalArgumentException(field + " must be a whole number");
        }
        return parser.getLongValue();
    }

    private static int intValue(JsonParser parser, JsonToken token, String field) throws IOException {
        if (token != JsonToken.VALUE_NUMBER_INT) {
            throw new IllegalArgumentException(field + " must be a whole number");
        }
        return parser.getIntValue();
    }

    private static Instant instant(JsonParser parser, JsonToken token) throws IOException {
        if (token != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException("time must be an ISO-8601 string");
        }
        try {
            return Instant.parse(parser.getText());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("time is not ISO-8601: " + parser.getText(), e);
        }
    }
}
