package minikv.volume;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code --allow} network, e.g. {@code 10.0.0.0/8}, {@code 192.0.2.7} or {@code fd00::/8}: the
 * clients in it may write to the volume (with the secret, if one is set). Checked here because
 * nginx would only reject a typo after the launcher had started it.
 */
record WriterNetwork(String cidr) {

    private static final Pattern FORM = Pattern.compile("([0-9A-Fa-f.:]+)(?:/(\\d{1,3}))?");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    /** @throws IllegalArgumentException naming the value when it is not an address or network */
    static WriterNetwork parse(String text) {
        Matcher form = FORM.matcher(text);
        if (!form.matches()) {
            throw notANetwork(text);
        }
        String address = form.group(1);
        int maxPrefix = address.contains(":") ? 128 : 32;
        if (maxPrefix == 32 && !isIpv4(address) || maxPrefix == 128 && !isIpv6(address)) {
            throw notANetwork(text);
        }
        if (form.group(2) != null && Integer.parseInt(form.group(2)) > maxPrefix) {
            throw new IllegalArgumentException("--allow " + text + ": the prefix length must be at most " + maxPrefix);
        }
        return new WriterNetwork(text);
    }

    private static boolean isIpv4(String address) {
        Matcher octets = IPV4.matcher(address);
        if (!octets.matches()) {
            return false;
        }
        for (int i = 1; i <= 4; i++) {
            if (Integer.parseInt(octets.group(i)) > 255) {
                return false;
            }
        }
        return true;
    }

    /** Only hex digits, colons and dots reach here, so this parses a literal and never asks DNS. */
    private static boolean isIpv6(String address) {
        try {
            InetAddress.getByName("[" + address + "]");
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static IllegalArgumentException notANetwork(String text) {
        return new IllegalArgumentException("--allow " + text
                + ": expected an IP address or network like 10.0.0.0/8, 192.0.2.7 or fd00::/8");
    }
}
