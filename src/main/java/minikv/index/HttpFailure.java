package minikv.index;

/** A request that ends with an error status; the message becomes the plain-text body. */
class HttpFailure extends Exception {

    private final int status;

    HttpFailure(int status, String message) {
        this(status, message, null);
    }

    HttpFailure(int status, String message, Throwable cause) {
        // An answer to a client, not a fault of ours: no stack trace unless there is a cause.
        super(message, cause, false, cause != null);
        this.status = status;
    }

    /** 400 Bad Request. */
    static HttpFailure badRequest(String message) {
        return new HttpFailure(400, message);
    }

    int status() {
        return status;
    }
}
