package minikv.s3;

import java.util.Locale;

/**
 * Which bucket and object a request names. Path style is {@code /bucket/key}; virtual-hosted
 * style puts the bucket in the Host header as {@code bucket.DOMAIN} and the key in the path.
 *
 * @param bucket the bucket, or null for the service (ListBuckets)
 * @param rawKey the object key as sent, still percent-encoded, or null for the bucket itself
 */
public record S3Address(String bucket, String rawKey) {

    /**
     * @param host   the Host header (may carry a port), or null
     * @param domain the endpoint's own name: a Host of {@code bucket.domain} is virtual-hosted
     */
    public static S3Address of(String host, String rawPath, String domain) throws S3Error {
        String path = rawPath.isEmpty() ? "/" : rawPath;
        if (path.charAt(0) != '/') {
            throw S3Error.badRequest("InvalidURI", "a request path starts with /");
        }
        String hostName = host == null ? "" : stripPort(host).toLowerCase(Locale.ROOT);
        String suffix = "." + domain.toLowerCase(Locale.ROOT);
        if (hostName.endsWith(suffix) && hostName.length() > suffix.length()) {
            String bucket = hostName.substring(0, hostName.length() - suffix.length());
            return new S3Address(bucket, path.length() == 1 ? null : path.substring(1));
        }
        if (path.length() == 1) {
            return new S3Address(null, null);
        }
        int slash = path.indexOf('/', 1);
        if (slash < 0) {
            return new S3Address(UriEncoding.decodeText(path.substring(1)), null);
        }
        String bucket = UriEncoding.decodeText(path.substring(1, slash));
        return new S3Address(bucket, slash == path.length() - 1 ? null : path.substring(slash + 1));
    }

    private static String stripPort(String host) {
        if (host.startsWith("[")) { // an IPv6 literal
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.lastIndexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    /**
     * Checks a bucket name against S3's rules: 3 to 63 lower-case letters, digits, dots and
     * hyphens, starting and ending with a letter or digit, not an IP address.
     */
    public static void checkBucketName(String name) throws S3Error {
        boolean ok = name.length() >= 3 && name.length() <= 63 && name.matches("[a-z0-9][a-z0-9.-]*[a-z0-9]")
                && !name.contains("..") && !name.matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
        if (!ok) {
            throw S3Error.badRequest("InvalidBucketName", "The specified bucket is not valid: " + name
                    + " (3 to 63 lower-case letters, digits, dots and hyphens)");
        }
    }
}
