package minikv.index;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import minikv.s3.S3Error;
import minikv.s3.S3Time;
import minikv.s3.S3Xml;
import minikv.s3.UriEncoding;
import minikv.store.IndexStore;
import minikv.store.KeyOrder;
import minikv.store.Record;

/**
 * ListObjectsV2, ListObjects (v1) and ListObjectVersions (every key has the one version
 * {@code null}), each a page of {@link S3ListingScan} read from one snapshot. A continuation
 * token is the base64 of the key the next page starts at.
 */
final class S3Listing {

    private static final int MAX_KEYS = 1000;

    private final IndexStore store;
    private final S3Buckets buckets;
    private final S3Objects objects;

    S3Listing(IndexStore store, S3Buckets buckets, S3Objects objects) {
        this.store = store;
        this.buckets = buckets;
        this.objects = objects;
    }

    /** ListObjectsV2 with {@code list-type=2}, else ListObjects. */
    void objects(S3Request request) throws S3Error {
        boolean v2 = "2".equals(request.query().get("list-type"));
        String bucket = request.address().bucket();
        buckets.require(bucket);
        Query q = new Query(request);
        byte[] start;
        if (v2 && request.has("continuation-token")) {
            start = decodeToken(request.query().get("continuation-token"));
        } else {
            String after = request.query().get(v2 ? "start-after" : "marker");
            start = after == null || after.isEmpty() ? q.prefix : startAfter(q, after);
        }
        S3ListingScan.Page page;
        try (IndexStore.Snapshot snapshot = store.snapshot()) {
            page = S3ListingScan.scan(snapshot, q.marker, q.prefix, q.delimiter, start, q.maxKeys);
        }
        S3Xml xml = new S3Xml("ListBucketResult").element("Name", bucket)
                .element("Prefix", v2 ? q.encode(q.s3Prefix) : q.s3Prefix); // v1 gives it back unencoded, as AWS does
        if (v2) {
            xml.element("KeyCount", page.contents().size() + page.commonPrefixes().size())
                    .element("ContinuationToken", request.query().get("continuation-token"))
                    .element("StartAfter", q.encodeText(request.query().get("start-after")));
            if (page.truncated()) {
                xml.element("NextContinuationToken", Base64.getUrlEncoder().encodeToString(page.resumeAt()));
            }
        } else {
            xml.element("Marker", q.encodeText(request.query().getOrDefault("marker", "")));
            if (page.truncated() && q.delimiter != null) {
                xml.element("NextMarker", q.encode(q.s3Key(page.lastListed())));
            }
        }
        xml.element("MaxKeys", q.maxKeys).element("Delimiter", q.delimiterText())
                .element("EncodingType", q.url ? "url" : null).element("IsTruncated", page.truncated());
        boolean owner = !v2 || "true".equals(request.query().get("fetch-owner"));
        for (S3ListingScan.Entry entry : page.contents()) {
            xml.open("Contents");
            entryFields(xml, q, entry);
            if (owner) {
                owner(xml, request);
            }
            xml.close("Contents");
        }
        commonPrefixes(xml, q, page);
        S3Answers.xml(request.exchange(), 200, xml.end("ListBucketResult"));
    }

    /** ListObjectVersions of a bucket that never had versioning: each live key is its own latest version, {@code null}. */
    void versions(S3Request request) throws S3Error {
        String bucket = request.address().bucket();
        buckets.require(bucket);
        Query q = new Query(request);
        String after = request.query().get("key-marker");
        byte[] start = after == null || after.isEmpty() ? q.prefix : startAfter(q, after);
        S3ListingScan.Page page;
        try (IndexStore.Snapshot snapshot = store.snapshot()) {
            page = S3ListingScan.scan(snapshot, q.marker, q.prefix, q.delimiter, start, q.maxKeys);
        }
        S3Xml xml = new S3Xml("ListVersionsResult").element("Name", bucket).element("Prefix", q.encode(q.s3Prefix))
                .element("KeyMarker", q.encodeText(after == null ? "" : after)).element("VersionIdMarker", "")
                .element("MaxKeys", q.maxKeys).element("Delimiter", q.delimiterText())
                .element("EncodingType", q.url ? "url" : null).element("IsTruncated", page.truncated());
        if (page.truncated()) {
            xml.element("NextKeyMarker", q.encode(q.s3Key(page.lastListed()))).element("NextVersionIdMarker", "null");
        }
        for (S3ListingScan.Entry entry : page.contents()) {
            xml.open("Version");
            entryFields(xml, q, entry);
            xml.element("VersionId", "null").element("IsLatest", true);
            owner(xml, request);
            xml.close("Version");
        }
        commonPrefixes(xml, q, page);
        S3Answers.xml(request.exchange(), 200, xml.end("ListVersionsResult"));
    }

    private void entryFields(S3Xml xml, Query q, S3ListingScan.Entry entry) {
        Record record = entry.record();
        long size = record.details().size();
        long modified = record.details().modifiedMillis();
        if (size < 0 || modified == 0) { // written before records knew: ask a volume
            long[] known = objects.sizeAndTime(Key.fromStored(entry.key()), record);
            size = size < 0 ? known[0] : size;
            modified = modified == 0 ? known[1] : modified;
        }
        xml.element("Key", q.encode(q.s3Key(entry.key())))
                .element("LastModified", S3Time.iso(modified))
                .element("ETag", S3Objects.etagOf(record) == null ? null : S3Objects.quoted(S3Objects.etagOf(record)))
                .element("Size", size).element("StorageClass", "STANDARD");
    }

    private static void owner(S3Xml xml, S3Request request) {
        String id = request.auth().accessKeyId();
        xml.open("Owner").element("ID", id).element("DisplayName", id).close("Owner");
    }

    private static void commonPrefixes(S3Xml xml, Query q, S3ListingScan.Page page) {
        for (Iterator<byte[]> it = page.commonPrefixes().iterator(); it.hasNext(); ) {
            byte[] common = it.next();
            xml.open("CommonPrefixes").element("Prefix", q.encode(q.s3Key(common)))
                    .close("CommonPrefixes");
        }
    }

    /** Just after {@code after} (an S3 key), or, if it is a common prefix of this listing, after all its keys. */
    private static byte[] startAfter(Query q, String after) {
        byte[] key = q.whole(after);
        byte[] next = KeyOrder.justAfter(key);
        if (q.delimiter != null && after.endsWith(new String(q.delimiter, StandardCharsets.UTF_8))) {
            byte[] past = KeyOrder.afterPrefix(key);
            return past == null ? next : past;
        }
        return next;
    }

    private static byte[] decodeToken(String token) throws S3Error {
        try {
            return Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            throw S3Error.badRequest("InvalidArgument", "The continuation token provided is incorrect");
        }
    }

    /** A listing's arguments, as minikv keys. */
    private static final class Query {
        final byte[] marker;
        final String s3Prefix;
        final byte[] prefix;
        final byte[] delimiter;
        final int maxKeys;
        final boolean url;

        Query(S3Request request) throws S3Error {
            this.marker = request.bucketKey().bytes();
            this.s3Prefix = request.query().getOrDefault("prefix", "");
            this.prefix = whole(s3Prefix);
            String d = request.query().get("delimiter");
            this.delimiter = d == null || d.isEmpty() ? null : d.getBytes(StandardCharsets.UTF_8);
            String max = request.query().get("max-keys");
            try {
                this.maxKeys = max == null ? MAX_KEYS : Math.min(MAX_KEYS, Integer.parseInt(max));
            } catch (NumberFormatException e) {
                throw S3Error.badRequest("InvalidArgument", "max-keys must be a number, not " + max);
            }
            if (maxKeys < 0) {
                throw S3Error.badRequest("InvalidArgument", "max-keys must not be negative");
            }
            String encoding = request.query().get("encoding-type");
            if (encoding != null && !encoding.equals("url")) {
                throw S3Error.badRequest("InvalidArgument", "Invalid Encoding Method specified in Request: " + encoding);
            }
            this.url = encoding != null;
        }

        byte[] whole(String s3Key) {
            byte[] key = s3Key.getBytes(StandardCharsets.UTF_8);
            byte[] out = Arrays.copyOf(marker, marker.length + key.length);
            System.arraycopy(key, 0, out, marker.length, key.length);
            return out;
        }

        String encode(String text) {
            return url ? UriEncoding.encode(text.getBytes(StandardCharsets.UTF_8), false) : text;
        }

        String encodeText(String text) {
            return text == null ? null : encode(text);
        }

        /** The delimiter as the answer gives it back, or null (an empty one is none). */
        String delimiterText() {
            return delimiter == null ? null : encode(new String(delimiter, StandardCharsets.UTF_8));
        }

        String encode(byte[] key) {
            return encode(new String(key, StandardCharsets.UTF_8));
        }

        /** The S3 key of a whole minikv key below the bucket. */
        byte[] s3Key(byte[] whole) {
            return Arrays.copyOfRange(whole, marker.length, whole.length);
        }
    }
}
