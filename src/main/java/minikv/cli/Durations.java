package minikv.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;

/** Durations written like Go's: {@code 500ms}, {@code 2s}, {@code 1.5s}, {@code 1m}, and hours and days: {@code 2h}, {@code 7d}. */
public final class Durations implements ITypeConverter<Duration> {

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");

    static Duration parse(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (m.matches()) {
            double millis = Double.parseDouble(m.group(1)) * switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1_000;
                case "m" -> 60_000;
                case "h" -> 3_600_000;
                default -> 86_400_000;
            };
            if (millis >= 1) {
                return Duration.ofMillis(Math.round(millis));
            }
        }
        throw new IllegalArgumentException("expected a duration of at least 1ms like 500ms, 2s, 1m, 2h or 7d, not '" + text + "'");
    }

    @Override
    public Duration convert(String value) {
        return parse(value);
    }
}
