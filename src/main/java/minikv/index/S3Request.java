package minikv.index;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import java.util.List;
import java.util.Map;
import minikv.s3.S3Address;
import minikv.s3.S3Error;
import minikv.s3.SigV4;

/** One S3 request once its signature holds: the exchange, what it names, who signed it. */
record S3Request(HttpServerExchange exchange, S3Address address, Map<String, String> query, SigV4.Verified auth) {

    /** The bucket's marker key, {@code /bucket/}: the value that says the bucket exists. */
    static Key bucketKey(String bucket) {
        return Key.fromStored(("/" + bucket + "/").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    Key bucketKey() {
        return bucketKey(address.bucket());
    }

    /** The object's minikv key, {@code /bucket/key}: checked as any key the native API takes. */
    Key objectKey() throws S3Error {
        return objectKey(address.bucket(), address.rawKey());
    }

    static Key objectKey(String bucket, String rawKey) throws S3Error {
        try {
            Key key = Key.fromRawPath("/" + bucket + "/" + rawKey);
            if (key.tooLongToWrite()) {
                throw new S3Error(400, "KeyTooLongError", "Your key is too long: " + key.tooLongToWriteFailure("S3").getMessage());
            }
            return key;
        } catch (HttpFailure bad) {
            throw S3Error.badRequest("InvalidArgument", "the object key is not one minikv stores: " + bad.getMessage());
        }
    }

    String method() {
        return exchange.getRequestMethod().toString();
    }

    boolean has(String parameter) {
        return query.containsKey(parameter);
    }

    String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    /** The request's headers for SigV4 and the body checks. */
    static SigV4.Headers headersOf(HttpServerExchange exchange) {
        return name -> {
            HeaderValues values = exchange.getRequestHeaders().get(name);
            return values == null ? List.of() : values;
        };
    }

    SigV4.Headers headers() {
        return headersOf(exchange);
    }

    /** Reads and drops a body whose content is not needed, through its checks. */
    void drain() throws S3Error {
        try (java.io.InputStream in = body()) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (java.io.IOException e) {
            throw bodyFailure(e);
        }
    }

    /** A small body (an XML document) whole, through its checks. @throws S3Error past {@code max} bytes */
    byte[] smallBody(int max) throws S3Error {
        try (java.io.InputStream in = body()) {
            byte[] body = in.readNBytes(max + 1);
            if (body.length > max) {
                throw S3Error.badRequest("MalformedXML", "this request's body is at most " + max + " bytes");
            }
            return body;
        } catch (java.io.IOException e) {
            throw bodyFailure(e);
        }
    }

    /** The body as Payload decodes and checks it. */
    java.io.InputStream body() throws S3Error {
        return minikv.s3.Payload.open(exchange.getInputStream(), auth, headers());
    }

    private static S3Error bodyFailure(java.io.IOException e) {
        return e instanceof minikv.s3.BodyRejected rejected ? rejected.error()
                : S3Error.badRequest("IncompleteBody", "the request body ended early: " + e.getMessage());
    }

    /**
     * The claim on {@code key} once the request holding it lets go (see {@link
     * S3Answers#CLAIM_PATIENCE}). @throws S3Error 409 OperationAborted if it is still held then
     */
    static KeyClaims.Claim claim(KeyClaims claims, Key key) throws S3Error {
        KeyClaims.Claim claim = claims.claimWithin(key, S3Answers.CLAIM_PATIENCE);
        if (claim == null) {
            throw new S3Error(409, "OperationAborted", "A conflicting operation has been under way on " + key + " for "
                    + S3Answers.CLAIM_PATIENCE.toSeconds() + " s");
        }
        return claim;
    }

    /** The resource named in error documents. */
    String resource() {
        return address.bucket() == null ? "/" : "/" + address.bucket() + (address.rawKey() == null ? "" : "/" + address.rawKey());
    }
}
