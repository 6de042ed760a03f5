package minikv.s3;

/** An S3 error answer: its HTTP status, its S3 code, and a message for people. */
public final class S3Error extends Exception {

    private final int status;
    private final String code;

    public S3Error(int status, String code, String message) {
        super(message, null, false, false); // an answer, not a fault: no stack trace
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public static S3Error accessDenied(String message) {
        return new S3Error(403, "AccessDenied", message);
    }

    public static S3Error signatureMismatch() {
        return new S3Error(403, "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
    }

    public static S3Error badRequest(String code, String message) {
        return new S3Error(400, code, message);
    }

    public static S3Error notImplemented(String what) {
        return new S3Error(501, "NotImplemented", what + " is not implemented by minikv");
    }
}
