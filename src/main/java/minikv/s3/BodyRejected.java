package minikv.s3;

import java.io.IOException;

/** A request body that failed its check (signature, digest, framing): nothing of it may be kept. */
public final class BodyRejected extends IOException {

    private final transient S3Error error;

    BodyRejected(S3Error error) {
        super(error.getMessage());
        this.error = error;
    }

    public S3Error error() {
        return error;
    }
}
