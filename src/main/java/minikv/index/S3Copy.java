package minikv.index;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import minikv.http.Answer;
import minikv.s3.Preconditions;
import minikv.s3.S3Address;
import minikv.s3.S3Error;
import minikv.s3.S3Time;
import minikv.s3.S3Xml;
import minikv.store.IndexStore;
import minikv.store.Record;

/**
 * CopyObject and the source of UploadPartCopy: the source value streams from one of its
 * replicas through the index into a new value, written as a PutObject would be (all or nothing,
 * replacing the destination atomically). Metadata is the source's (COPY) or the request's
 * (REPLACE).
 */
final class S3Copy {

    private final IndexStore store;
    private final KeyClaims claims;
    private final S3Objects objects;
    private final S3Buckets buckets;

    S3Copy(IndexStore store, KeyClaims claims, S3Objects objects, S3Buckets buckets) {
        this.store = store;
        this.claims = claims;
        this.objects = objects;
        this.buckets = buckets;
    }

    /** The value an {@code x-amz-copy-source} names, once its {@code x-amz-copy-source-if-*} conditions hold. */
    record Source(Key key, Record record) {}

    Source source(S3Request request) throws S3Error {
        String header = request.header("x-amz-copy-source");
        String path = header.startsWith("/") ? header.substring(1) : header;
        int query = path.indexOf('?');
        if (query >= 0) {
            String version = path.substring(query + 1);
            if (!version.equals("versionId=null")) {
                throw S3Error.badRequest("InvalidArgument", "minikv keeps one version of each key: " + version);
            }
            path = path.substring(0, query);
        }
        int slash = path.indexOf('/');
        if (slash <= 0 || slash == path.length() - 1) {
            throw S3Error.badRequest("InvalidArgument", "x-amz-copy-source must be BUCKET/KEY, not " + header);
        }
        String bucket = minikv.s3.UriEncoding.decodeText(path.substring(0, slash));
        S3Address.checkBucketName(bucket);
        Key key = S3Request.objectKey(bucket, path.substring(slash + 1));
        Record record = store.get(key.bytes());
        if (record == null || record.state() != Record.State.LIVE) {
            buckets.require(bucket);
            throw new S3Error(404, "NoSuchKey", "The specified key does not exist: the copy source " + header);
        }
        int precondition = Preconditions.check(request.header("x-amz-copy-source-if-match"),
                request.header("x-amz-copy-source-if-none-match"), request.header("x-amz-copy-source-if-modified-since"),
                request.header("x-amz-copy-source-if-unmodified-since"), S3Objects.etagOf(record),
                record.details().modifiedMillis());
        if (precondition != 0) {
            throw new S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
        }
        return new Source(key, record);
    }

    void copyObject(S3Request request) throws S3Error, HttpFailure {
        Key destination = request.objectKey();
        buckets.require(request.address().bucket());
        Source source = source(request);
        String directive = String.valueOf(request.header("x-amz-metadata-directive")).strip();
        boolean replaceMetadata = directive.equalsIgnoreCase("REPLACE");
        if (!replaceMetadata && !directive.equals("null") && !directive.equalsIgnoreCase("COPY")) {
            throw S3Error.badRequest("InvalidArgument", "x-amz-metadata-directive is COPY or REPLACE, not " + directive);
        }
        if (destination.text().equals(source.key().text()) && !replaceMetadata) {
            throw S3Error.badRequest("InvalidRequest", "This copy request is illegal because it is trying to copy an object"
                    + " to itself without changing the object's metadata, storage class, website redirect location or"
                    + " encryption attributes.");
        }
        request.drain();
        Map<String, String> headers = replaceMetadata ? S3Objects.storedHeaders(request.exchange().getRequestHeaders())
                : new TreeMap<>(source.record().details().headers());
        // A copy is one part, made by no upload: its ETag is its md5.
        headers.remove(S3Multipart.ETAG);
        headers.remove(S3Multipart.UPLOAD_ID);
        Record live = write(destination, source, null, headers);
        S3Answers.xml(request.exchange(), 200, new S3Xml("CopyObjectResult")
                .element("LastModified", S3Time.iso(live.details().modifiedMillis()))
                .element("ETag", S3Objects.quoted(live.md5Hex())).end("CopyObjectResult"));
    }

    /**
     * Writes {@code key} from {@code source} (the bytes {@code range} names, or all), under the
     * key's claim; returns the record now live.
     */
    Record write(Key key, Source source, String range, Map<String, String> headers) throws S3Error, HttpFailure {
        try (KeyClaims.Claim claim = S3Request.claim(claims, key);
             Answer answer = objects.fetch(source.key(), source.record(), false, range)) {
            if (answer.status() == 416) {
                throw new S3Error(416, "InvalidRange", "The requested range is not satisfiable");
            }
            return objects.write(key, new PutHandler.Value(SourceUnreadable.guard(answer.body(), "the copy source " + source.key()),
                    answer.contentLength(), null, true,
                    PutHandler.Rules.S3, headers));
        } catch (IOException e) {
            throw new S3Error(503, "ServiceUnavailable", "reading the copy source: " + e.getMessage());
        }
    }

    /**
     * An {@code x-amz-copy-source-range} checked as S3 does: {@code bytes=FIRST-LAST} within the
     * source (of {@code size} bytes, -1 if unknown); null for the whole source.
     */
    static String sourceRange(String header, long size) throws S3Error {
        if (header == null) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("bytes=(\\d{1,18})-(\\d{1,18})").matcher(header.strip());
        if (!m.matches() || Long.parseLong(m.group(1)) > Long.parseLong(m.group(2))) {
            throw S3Error.badRequest("InvalidArgument", "The x-amz-copy-source-range value must be of the form"
                    + " bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy");
        }
        if (size >= 0 && Long.parseLong(m.group(2)) >= size) {
            throw S3Error.badRequest("InvalidRange", "The requested range is not satisfiable: the source has " + size + " bytes");
        }
        return header.strip();
    }
}
