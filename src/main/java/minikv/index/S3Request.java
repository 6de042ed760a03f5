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

    /** The resource named in error documents. */
    String resource() {
        return address.bucket() == null ? "/" : "/" + address.bucket() + (address.rawKey() == null ? "" : "/" + address.rawKey());
    }
}
