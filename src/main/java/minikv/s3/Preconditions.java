package minikv.s3;

/**
 * If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since, in RFC 9110's order,
 * as S3 reads them: a true If-Match makes If-Unmodified-Since moot, and an If-None-Match makes
 * If-Modified-Since moot. Times compare to the second, as HTTP dates carry no more.
 */
public final class Preconditions {

    private Preconditions() {
    }

    /**
     * @param etag         the object's ETag without quotes, or null
     * @param modifiedMillis when it was last written
     * @return 0 to go on, 412 (PreconditionFailed) or 304 (NotModified)
     */
    public static int check(String ifMatch, String ifNoneMatch, String ifModifiedSince, String ifUnmodifiedSince,
            String etag, long modifiedMillis) {
        long modified = modifiedMillis / 1000;
        if (ifMatch != null) {
            if (!matches(ifMatch, etag)) {
                return 412;
            }
        } else if (ifUnmodifiedSince != null) {
            long since = S3Time.parseHttp(ifUnmodifiedSince);
            if (since >= 0 && modified > since / 1000) {
                return 412;
            }
        }
        if (ifNoneMatch != null) {
            if (matches(ifNoneMatch, etag)) {
                return 304;
            }
        } else if (ifModifiedSince != null) {
            long since = S3Time.parseHttp(ifModifiedSince);
            if (since >= 0 && modified <= since / 1000) {
                return 304;
            }
        }
        return 0;
    }

    /** True if the header lists {@code etag} (quoted or not, weak or strong) or is {@code *}. */
    public static boolean matches(String header, String etag) {
        for (String tag : header.split(",")) {
            String t = tag.strip();
            if (t.equals("*")) {
                return true;
            }
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
                t = t.substring(1, t.length() - 1);
            }
            if (etag != null && t.equals(etag)) {
                return true;
            }
        }
        return false;
    }
}
