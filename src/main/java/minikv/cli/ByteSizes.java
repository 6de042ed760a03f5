package minikv.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte counts as people write and read them: {@code 1GiB}, {@code 500MB}, {@code 1.5 GiB}. */
public final class ByteSizes {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(i?)b?", Pattern.CASE_INSENSITIVE);
    private static final String PREFIXES = "kmgtp";
    private static final String[] BINARY_UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

    private ByteSizes() {
    }

    /**
     * Parses a plain byte count or one with a unit: k, M, G, T, P are powers of 1000, Ki, Mi…
     * powers of 1024; a trailing B is optional and case does not matter.
     *
     * @throws IllegalArgumentException for anything else, or a size beyond a long
     */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: '" + text + "' (examples: 1GiB, 500MB, 1048576)");
        }
        int power = m.group(2).isEmpty() ? 0 : PREFIXES.indexOf(m.group(2).toLowerCase(Locale.ROOT)) + 1;
        if (power == 0 && !m.group(3).isEmpty()) {
            throw new IllegalArgumentException("not a size: '" + text + "' ('i' needs a prefix, as in KiB)");
        }
        double base = m.group(3).isEmpty() ? 1000 : 1024;
        double bytes = Double.parseDouble(m.group(1)) * Math.pow(base, power);
        if (bytes >= Long.MAX_VALUE) {
            throw new IllegalArgumentException("size too large: '" + text + "'");
        }
        return Math.round(bytes);
    }

    /** Binary units with one decimal from KiB up: {@code 1023 B}, {@code 1.5 GiB}. */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        int unit = 0;
        double value = bytes;
        while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, BINARY_UNITS[unit]);
    }
}
