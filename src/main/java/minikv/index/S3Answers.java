package minikv.index;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.nio.charset.StandardCharsets;
import minikv.s3.BodyRejected;
import minikv.s3.S3Error;
import minikv.s3.S3Xml;

/** How S3 answers: XML bodies, S3's error codes for the index's failures. */
final class S3Answers {

    private static final HttpString REQUEST_ID = new HttpString("x-amz-request-id");
    /**
     * How long an S3 write waits for another request on its key to finish before it answers 409:
     * S3 lets concurrent writers of a key all succeed, the last one's value kept.
     */
    static final java.time.Duration CLAIM_PATIENCE = java.time.Duration.ofSeconds(30);

    private S3Answers() {
    }

    static void xml(HttpServerExchange exchange, int status, String xml) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/xml");
        byte[] body = xml.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
        if (exchange.getRequestMethod().equals(Methods.HEAD)) {
            exchange.endExchange();
            return;
        }
        exchange.getResponseSender().send(java.nio.ByteBuffer.wrap(body));
    }

    static void empty(HttpServerExchange exchange, int status) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, "0");
        exchange.endExchange();
    }

    /** An error document; a client still sending a body it will not need gets the connection closed after it. */
    static void error(HttpServerExchange exchange, S3Error error, String resource) {
        if (exchange.isResponseStarted()) {
            exchange.endExchange(); // the body was on its way: all the client can see is the cut
            return;
        }
        if (!exchange.isRequestComplete()) {
            exchange.setPersistent(false);
        }
        String requestId = Long.toHexString(System.nanoTime());
        exchange.getResponseHeaders().put(REQUEST_ID, requestId);
        xml(exchange, error.status(), S3Xml.error(error, resource, requestId));
    }

    /** The S3 error for what the index's native handlers refused. */
    static S3Error of(HttpFailure failure) {
        if (failure.getCause() instanceof BodyRejected rejected) {
            return rejected.error();
        }
        if (failure.getCause() instanceof SourceUnreadable unreadable) {
            return new S3Error(503, "ServiceUnavailable", unreadable.getMessage() + "; nothing stored");
        }
        String message = failure.getMessage();
        return switch (failure.status()) {
            case 400 -> S3Error.badRequest(message.contains("ended early") ? "IncompleteBody" : "InvalidRequest", message);
            case 403 -> S3Error.accessDenied(message);
            case 404 -> new S3Error(404, "NoSuchKey", "The specified key does not exist.");
            case 408 -> S3Error.badRequest("RequestTimeout", message);
            case 409 -> new S3Error(409, "OperationAborted", "A conflicting operation is under way on this key: " + message);
            case 411 -> new S3Error(411, "MissingContentLength", message);
            case 413 -> S3Error.badRequest("EntityTooLarge", message);
            case 414 -> S3Error.badRequest("KeyTooLongError", message);
            case 503, 507 -> new S3Error(503, "ServiceUnavailable", message);
            default -> new S3Error(500, "InternalError", message);
        };
    }
}
