package minikv.index;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import minikv.s3.S3Error;
import minikv.s3.S3Time;
import minikv.s3.S3Xml;
import minikv.store.IndexStore;
import minikv.store.KeyOrder;
import minikv.store.Record;

/**
 * Buckets. A bucket is the minikv key {@code /bucket/}, whose value is a short text saying so:
 * a value on the volumes like any other, so that {@code rebuild} brings buckets back, and no
 * S3 object can collide with it (an S3 key is never empty). CreateBucket and DeleteBucket write
 * and erase it as PUT and DELETE would, under the key's claim.
 */
final class S3Buckets {

    static final String REGION = "us-east-1";
    private static final byte[] MARKER = "minikv S3 bucket: its objects are the keys below /BUCKET/\n"
            .getBytes(StandardCharsets.UTF_8);

    private final IndexStore store;
    private final KeyClaims claims;
    private final PutHandler put;
    private final Eraser eraser;

    S3Buckets(IndexStore store, KeyClaims claims, PutHandler put, Eraser eraser) {
        this.store = store;
        this.claims = claims;
        this.put = put;
        this.eraser = eraser;
    }

    /** The bucket's marker record. @throws S3Error NoSuchBucket if the bucket was never made */
    Record require(String bucket) throws S3Error {
        Record marker = store.get(S3Request.bucketKey(bucket).bytes());
        if (marker == null || marker.state() != Record.State.LIVE) {
            throw new S3Error(404, "NoSuchBucket", "The specified bucket does not exist: " + bucket);
        }
        return marker;
    }

    /** ListBuckets: one seek per first path segment, not a scan of every key. */
    void list(S3Request request) {
        S3Xml xml = new S3Xml("ListAllMyBucketsResult");
        xml.open("Owner").element("ID", request.auth().accessKeyId()).element("DisplayName", request.auth().accessKeyId())
                .close("Owner").open("Buckets");
        try (IndexStore.Snapshot snapshot = store.snapshot()) {
            byte[] from = {'/'};
            while (from != null) {
                byte[][] found = {null};
                Record[] record = {null};
                snapshot.scanRecords(new byte[] {'/'}, from, Record.State.LIVE, (key, r) -> {
                    found[0] = key;
                    record[0] = r;
                    return false;
                });
                if (found[0] == null) {
                    break;
                }
                byte[] key = found[0];
                int slash = indexOf(key, (byte) '/', 1);
                if (slash == key.length - 1) { // exactly /name/: a bucket
                    String name = new String(key, 1, slash - 1, StandardCharsets.UTF_8);
                    xml.open("Bucket").element("Name", name)
                            .element("CreationDate", S3Time.iso(record[0].details().modifiedMillis())).close("Bucket");
                }
                // On past every key that shares this first segment (or past this one key if it has no other).
                from = slash < 0 ? KeyOrder.justAfter(key) : KeyOrder.afterPrefix(Arrays.copyOf(key, slash + 1));
            }
        }
        S3Answers.xml(request.exchange(), 200, xml.close("Buckets").end("ListAllMyBucketsResult"));
    }

    void create(S3Request request) throws S3Error, HttpFailure {
        request.drain(); // its location constraint: there is one region
        Key key = request.bucketKey();
        try (KeyClaims.Claim claim = S3Request.claim(claims, key)) {
            Record marker = store.get(key.bytes());
            // As in us-east-1, the region minikv says it is: making a bucket again succeeds and changes nothing.
            if (marker == null || marker.state() != Record.State.LIVE) {
                put.put(key, new PutHandler.Value(new ByteArrayInputStream(MARKER), MARKER.length, null, true,
                        PutHandler.Rules.MINIKEYVALUE, Map.of()));
            }
        }
        request.exchange().getResponseHeaders().put(io.undertow.util.Headers.LOCATION, "/" + request.address().bucket());
        S3Answers.empty(request.exchange(), 200);
    }

    void head(S3Request request) throws S3Error {
        require(request.address().bucket());
        request.exchange().getResponseHeaders().put(new io.undertow.util.HttpString("x-amz-bucket-region"), REGION);
        S3Answers.empty(request.exchange(), 200);
    }

    /** DeleteBucket: 409 BucketNotEmpty while any key lies below it, in any state. */
    void delete(S3Request request) throws S3Error, HttpFailure {
        String bucket = request.address().bucket();
        Key key = request.bucketKey();
        try (KeyClaims.Claim claim = S3Request.claim(claims, key)) {
            Record marker = require(bucket);
            if (holdsAnyKey(key.bytes())) {
                throw new S3Error(409, "BucketNotEmpty", "The bucket you tried to delete is not empty: " + bucket);
            }
            eraser.erase(key, marker);
        }
        S3Answers.empty(request.exchange(), 204);
    }

    private boolean holdsAnyKey(byte[] marker) {
        byte[] firstObject = KeyOrder.justAfter(marker);
        boolean[] any = {false};
        try (IndexStore.Snapshot snapshot = store.snapshot()) {
            for (Record.State state : Record.State.values()) {
                snapshot.scanKeys(marker, firstObject, state, k -> !(any[0] = true));
            }
        }
        return any[0];
    }

    void location(S3Request request) throws S3Error {
        require(request.address().bucket());
        // us-east-1 is said with an empty constraint, as AWS does.
        S3Answers.xml(request.exchange(), 200, new S3Xml("LocationConstraint").end("LocationConstraint"));
    }

    /** GetBucketVersioning: minikv keeps one version of each key, so versioning was never enabled. */
    void versioning(S3Request request) throws S3Error {
        require(request.address().bucket());
        S3Answers.xml(request.exchange(), 200, new S3Xml("VersioningConfiguration").end("VersioningConfiguration"));
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

}
