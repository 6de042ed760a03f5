package minikv.index;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.Map;
import minikv.s3.S3Address;
import minikv.s3.S3Error;
import minikv.s3.SigV4;
import minikv.store.StoreUnavailable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The S3 endpoint: finds the bucket and key a request names, checks its signature, and hands it
 * to the bucket, object or listing handler. All of it runs on a worker thread: objects stream
 * to and from the volumes with blocking I/O, and listings scan.
 *
 * <p>An S3 object {@code key} in {@code bucket} is the minikv key {@code /bucket/key}; a bucket
 * is the key {@code /bucket/}, whose small value marks it as made (see {@link S3Buckets}).
 * Values, buckets and uploads thus lie on the volumes in minikeyvalue's layout; the stored headers
 * and multipart ETags are in the records, with a copy on the volumes for a rebuild ({@link S3HeadersCopies}).
 */
final class S3Front implements HttpHandler {

    private static final Logger log = LoggerFactory.getLogger(S3Front.class);

    private final SigV4 sigV4;
    private final String domain;
    private final S3Buckets buckets;
    private final S3Objects objects;
    private final S3Listing listing;
    private final S3Multipart multipart;
    private final S3UploadListing uploads;
    private final S3Copy copy;

    S3Front(SigV4 sigV4, String domain, S3Buckets buckets, S3Objects objects, S3Listing listing, S3Multipart multipart,
            S3UploadListing uploads, S3Copy copy) {
        this.multipart = multipart;
        this.uploads = uploads;
        this.copy = copy;
        this.sigV4 = sigV4;
        this.domain = domain;
        this.buckets = buckets;
        this.objects = objects;
        this.listing = listing;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this);
            return;
        }
        exchange.startBlocking();
        String resource = "/";
        try {
            String rawPath = KeyHandler.rawPath(exchange);
            int question = rawPath.indexOf('?');
            rawPath = question < 0 ? rawPath : rawPath.substring(0, question);
            S3Address address = S3Address.of(exchange.getRequestHeaders().getFirst(Headers.HOST), rawPath, domain);
            resource = address.bucket() == null ? "/" : "/" + address.bucket();
            SigV4.Verified auth = sigV4.verify(new SigV4.Request(exchange.getRequestMethod().toString(), rawPath,
                    exchange.getQueryString(), S3Request.headersOf(exchange)));
            Map<String, String> query = SigV4.decodeQuery(exchange.getQueryString());
            S3Request request = new S3Request(exchange, address, query, auth);
            resource = request.resource();
            route(request);
        } catch (S3Error error) {
            S3Answers.error(exchange, error, resource);
        } catch (HttpFailure failure) {
            S3Answers.error(exchange, S3Answers.of(failure), resource);
        } catch (StoreUnavailable e) {
            S3Answers.error(exchange, new S3Error(503, "ServiceUnavailable", "the index database cannot be reached: "
                    + e.getMessage()), resource);
        } catch (RuntimeException e) {
            log.error("S3 {} {} failed", exchange.getRequestMethod(), resource, e);
            S3Answers.error(exchange, new S3Error(500, "InternalError", "index error: " + e), resource);
        }
    }

    private void route(S3Request request) throws S3Error, HttpFailure {
        S3Address address = request.address();
        String method = request.method();
        if (address.bucket() == null) {
            if (!method.equals("GET")) {
                throw new S3Error(405, "MethodNotAllowed", method + " is not allowed on the service");
            }
            buckets.list(request);
            return;
        }
        S3Address.checkBucketName(address.bucket());
        if (address.rawKey() == null) {
            routeBucket(request, method);
        } else {
            routeObject(request, method);
        }
    }

    private void routeBucket(S3Request request, String method) throws S3Error, HttpFailure {
        switch (method) {
            case "PUT" -> {
                refuseSubresource(request, "CreateBucket");
                buckets.create(request);
            }
            case "HEAD" -> buckets.head(request);
            case "DELETE" -> {
                refuseSubresource(request, "DeleteBucket");
                buckets.delete(request);
            }
            case "POST" -> {
                if (!request.has("delete")) {
                    throw S3Error.notImplemented("POST on a bucket other than DeleteObjects");
                }
                objects.deleteMany(request);
            }
            case "GET" -> {
                if (request.has("location")) {
                    buckets.location(request);
                } else if (request.has("versioning")) {
                    buckets.versioning(request);
                } else if (request.has("uploads")) {
                    uploads.answer(request);
                } else if (request.has("versions")) {
                    listing.versions(request);
                } else {
                    refuseSubresource(request, "ListObjects");
                    listing.objects(request);
                }
            }
            default -> throw new S3Error(405, "MethodNotAllowed", method + " is not allowed on a bucket");
        }
    }

    private void routeObject(S3Request request, String method) throws S3Error, HttpFailure {
        if (request.has("uploads") && method.equals("POST")) {
            multipart.create(request);
            return;
        }
        if (request.has("uploadId")) {
            switch (method) {
                case "PUT" -> multipart.uploadPart(request);
                case "GET" -> multipart.listParts(request);
                case "DELETE" -> multipart.abort(request);
                case "POST" -> multipart.complete(request);
                default -> throw new S3Error(405, "MethodNotAllowed", method + " is not allowed on an upload");
            }
            return;
        }
        switch (method) {
            case "PUT" -> {
                refuseSubresource(request, "PutObject");
                if (request.header("x-amz-copy-source") != null) {
                    copy.copyObject(request);
                } else {
                    objects.put(request);
                }
            }
            case "GET", "HEAD" -> {
                refuseSubresource(request, "GetObject");
                objects.get(request);
            }
            case "DELETE" -> {
                refuseSubresource(request, "DeleteObject");
                objects.delete(request);
            }
            default -> throw new S3Error(405, "MethodNotAllowed", method + " is not allowed on an object");
        }
    }

    /** Sub-resources minikv does not have (acl, tagging, policy...): said so, rather than answered as another request. */
    private static void refuseSubresource(S3Request request, String operation) throws S3Error {
        for (String parameter : request.query().keySet()) {
            if (!ALLOWED.contains(parameter) && !parameter.startsWith("X-Amz-") && !parameter.startsWith("response-")) {
                throw S3Error.notImplemented("?" + parameter + " (on " + operation + ")");
            }
        }
    }

    /** Query parameters that are arguments, not sub-resources. */
    private static final java.util.Set<String> ALLOWED = java.util.Set.of("prefix", "delimiter", "max-keys", "marker",
            "continuation-token", "start-after", "encoding-type", "fetch-owner", "list-type", "x-id",
            "key-marker", "version-id-marker", "upload-id-marker", "max-uploads", "part-number-marker", "max-parts");
}
