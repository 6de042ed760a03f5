package minikv.s3it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import minikv.cluster.HeadersCopy;
import minikv.testing.Cluster;
import minikv.testing.Http;
import minikv.testing.S3Cluster;
import minikv.testing.S3Endpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The S3 endpoint through the AWS SDK for Java v2, unmodified, against a real cluster. */
class S3SdkIT {

    @TempDir
    static Path dir;
    private static S3Cluster running;
    private static Cluster cluster;
    private static S3Endpoint s3;
    private static S3Client client;

    @BeforeAll
    static void start() {
        running = S3Cluster.start(dir);
        cluster = running.cluster();
        s3 = running.s3();
        client = running.client();
    }

    @AfterAll
    static void stop() {
        if (running != null) {
            running.close();
        }
    }

    @Test
    void aBucketIsMadeListedAndDeletedOnlyWhenEmpty() {
        client.createBucket(b -> b.bucket("life"));
        client.headBucket(b -> b.bucket("life"));
        assertTrue(client.listBuckets().buckets().stream().anyMatch(b -> b.name().equals("life")
                && b.creationDate() != null));
        assertEquals("", client.getBucketLocation(b -> b.bucket("life")).locationConstraintAsString());

        client.putObject(b -> b.bucket("life").key("one"), RequestBody.fromString("x"));
        client.createBucket(b -> b.bucket("life")); // as in us-east-1: made again, nothing changes
        assertEquals("x", client.getObjectAsBytes(b -> b.bucket("life").key("one")).asUtf8String());
        assertEquals("BucketNotEmpty", code(() -> client.deleteBucket(b -> b.bucket("life"))));
        client.deleteObject(b -> b.bucket("life").key("one"));
        client.deleteBucket(b -> b.bucket("life"));
        assertEquals(404, status(() -> client.headBucket(b -> b.bucket("life"))));
        assertEquals("NoSuchBucket", code(() -> client.putObject(b -> b.bucket("life").key("two"), RequestBody.fromString("y"))));
    }

    @Test
    void anObjectComesBackWithItsMd5ETagHeadersAndMetadataAndIsTheNativeKey() throws Exception {
        client.createBucket(b -> b.bucket("objects"));
        byte[] value = "hello through S3\n".getBytes(StandardCharsets.UTF_8);
        String etag = client.putObject(b -> b.bucket("objects").key("dir/hello.txt").contentType("text/plain")
                .cacheControl("max-age=60").metadata(Map.of("owner", "zoe")), RequestBody.fromBytes(value)).eTag();
        assertEquals("\"" + md5(value) + "\"", etag);

        ResponseBytes<GetObjectResponse> got = client.getObjectAsBytes(b -> b.bucket("objects").key("dir/hello.txt"));
        assertArrayEquals(value, got.asByteArray());
        assertEquals("text/plain", got.response().contentType());
        assertEquals("max-age=60", got.response().cacheControl());
        assertEquals(Map.of("owner", "zoe"), got.response().metadata());
        assertEquals(etag, got.response().eTag());

        HeadObjectResponse head = client.headObject(b -> b.bucket("objects").key("dir/hello.txt"));
        assertEquals(value.length, head.contentLength());
        assertTrue(Duration.between(head.lastModified(), java.time.Instant.now()).abs().toMinutes() < 5);
        assertArrayEquals(value, cluster.read("/objects/dir/hello.txt"), "the same value through the native API");

        // minikv's own DELETE takes the copy of the object's headers on the volumes with it.
        String copy = new String(HeadersCopy.keyOf("/objects/dir/hello.txt".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8);
        assertEquals(2, cluster.replicaFiles(copy).size(), "the headers' copy, on both replicas");
        assertEquals(204, Http.delete(cluster.keyUrl("/objects/dir/hello.txt")).statusCode());
        assertEquals(404, status(() -> client.headObject(b -> b.bucket("objects").key("dir/hello.txt"))));
        assertEquals(List.of(), cluster.replicaFiles(copy), "a rebuild would find no headers to give a value written there later");
    }

    @Test
    void aLargeObjectStreamsBothWaysAndRangesAreServed() throws Exception {
        client.createBucket(b -> b.bucket("large"));
        byte[] value = new byte[24 << 20];
        new Random(7).nextBytes(value);
        client.putObject(b -> b.bucket("large").key("blob"), RequestBody.fromBytes(value));
        assertArrayEquals(value, client.getObjectAsBytes(b -> b.bucket("large").key("blob")).asByteArray());

        ResponseBytes<GetObjectResponse> range = client.getObjectAsBytes(b -> b.bucket("large").key("blob").range("bytes=100-199"));
        assertArrayEquals(java.util.Arrays.copyOfRange(value, 100, 200), range.asByteArray());
        assertEquals("bytes 100-199/" + value.length, range.response().contentRange());
        assertEquals("InvalidRange", code(() -> client.getObject(b -> b.bucket("large").key("blob")
                .range("bytes=" + value.length + "-"))));
    }

    @Test
    void conditionalRequestsAnswer304And412() {
        client.createBucket(b -> b.bucket("conditions"));
        String etag = client.putObject(b -> b.bucket("conditions").key("k"), RequestBody.fromString("v1")).eTag();
        assertEquals(304, status(() -> client.getObject(b -> b.bucket("conditions").key("k").ifNoneMatch(etag))));
        assertEquals(412, status(() -> client.getObject(b -> b.bucket("conditions").key("k").ifMatch("\"nope\""))));
        assertEquals("v1", client.getObjectAsBytes(b -> b.bucket("conditions").key("k").ifMatch(etag)).asUtf8String());
        assertEquals(412, status(() -> client.putObject(b -> b.bucket("conditions").key("k").ifNoneMatch("*"),
                RequestBody.fromString("v2"))));
        assertEquals("v1", client.getObjectAsBytes(b -> b.bucket("conditions").key("k")).asUtf8String(), "unchanged");
    }

    @Test
    void listingsPageThroughPrefixesAndDelimiters() {
        client.createBucket(b -> b.bucket("listing"));
        for (String key : List.of("a/1", "a/2", "b/x/1", "b/y", "c", "d e+f")) {
            client.putObject(b -> b.bucket("listing").key(key), RequestBody.fromString(key));
        }
        ListObjectsV2Response all = client.listObjectsV2(b -> b.bucket("listing"));
        assertEquals(List.of("a/1", "a/2", "b/x/1", "b/y", "c", "d e+f"), all.contents().stream().map(S3Object::key).toList());
        assertEquals(5L, all.contents().get(2).size(), "each value is its key");

        ListObjectsV2Response rolled = client.listObjectsV2(b -> b.bucket("listing").delimiter("/"));
        assertEquals(List.of("a/", "b/"), rolled.commonPrefixes().stream().map(CommonPrefix::prefix).toList());
        assertEquals(List.of("c", "d e+f"), rolled.contents().stream().map(S3Object::key).toList());

        List<String> paged = new ArrayList<>();
        client.listObjectsV2Paginator(b -> b.bucket("listing").maxKeys(2).delimiter("/")).forEach(page -> {
            page.commonPrefixes().forEach(p -> paged.add(p.prefix()));
            page.contents().forEach(o -> paged.add(o.key()));
        });
        assertEquals(List.of("a/", "b/", "c", "d e+f"), paged);

        ListObjectsV2Response underB = client.listObjectsV2(b -> b.bucket("listing").prefix("b/").delimiter("/"));
        assertEquals(List.of("b/x/"), underB.commonPrefixes().stream().map(CommonPrefix::prefix).toList());
        assertEquals(List.of("b/y"), underB.contents().stream().map(S3Object::key).toList());

        List<String> v1 = new ArrayList<>();
        String marker = "";
        for (boolean more = true; more; ) {
            String from = marker;
            var page = client.listObjects(b -> b.bucket("listing").maxKeys(4).marker(from));
            page.contents().forEach(o -> v1.add(o.key()));
            more = page.isTruncated();
            marker = v1.get(v1.size() - 1);
        }
        assertEquals(all.contents().stream().map(S3Object::key).toList(), v1, "ListObjects v1, paged by marker");
    }

    @Test
    void deleteObjectsRemovesEachKeyAndQuietSaysOnlyFailures() {
        client.createBucket(b -> b.bucket("deletes"));
        for (String key : List.of("x", "y", "z")) {
            client.putObject(b -> b.bucket("deletes").key(key), RequestBody.fromString(key));
        }
        DeleteObjectsResponse loud = client.deleteObjects(b -> b.bucket("deletes").delete(Delete.builder()
                .objects(ObjectIdentifier.builder().key("x").build(), ObjectIdentifier.builder().key("never").build()).build()));
        assertEquals(List.of("x", "never"), loud.deleted().stream().map(d -> d.key()).toList());
        DeleteObjectsResponse quiet = client.deleteObjects(b -> b.bucket("deletes").delete(Delete.builder().quiet(true)
                .objects(ObjectIdentifier.builder().key("y").build()).build()));
        assertTrue(quiet.deleted().isEmpty() && quiet.errors().isEmpty());
        assertEquals(List.of("z"), client.listObjectsV2(b -> b.bucket("deletes")).contents().stream().map(S3Object::key).toList());
        assertEquals("NoSuchKey", code(() -> client.getObject(b -> b.bucket("deletes").key("x"))));
    }

    @Test
    void anEmptyObjectIsStored() {
        client.createBucket(b -> b.bucket("empty"));
        client.putObject(b -> b.bucket("empty").key("folder/"), RequestBody.empty());
        assertEquals(0, client.getObjectAsBytes(b -> b.bucket("empty").key("folder/")).asByteArray().length);
        assertEquals(0L, client.headObject(b -> b.bucket("empty").key("folder/")).contentLength());
    }

    @Test
    void aBadSignatureStoresNothingAndAPresignedGetWorks() {
        client.createBucket(b -> b.bucket("auth"));
        try (S3Client wrong = S3Client.builder().endpointOverride(java.net.URI.create(s3.url()))
                .region(software.amazon.awssdk.regions.Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3Endpoint.ACCESS_KEY, "guess")))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
            assertEquals("SignatureDoesNotMatch", code(() -> wrong.putObject(b -> b.bucket("auth").key("k"),
                    RequestBody.fromString("no"))));
        }
        assertEquals("NoSuchKey", code(() -> client.getObject(b -> b.bucket("auth").key("k"))));
        assertEquals(403, Http.get(s3.url() + "/auth/k").statusCode(), "anonymous");

        client.putObject(b -> b.bucket("auth").key("shared"), RequestBody.fromString("presigned"));
        String url;
        try (var presigner = s3.presigner()) {
            url = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(g -> g.bucket("auth").key("shared"))).url().toString();
        }
        HttpResponse<byte[]> get = Http.get(url);
        assertEquals(200, get.statusCode());
        assertEquals("presigned", new String(get.body(), StandardCharsets.UTF_8));
    }

    @Test
    void aMultipartUploadSurvivesAnIndexRestartAndCompletesToOneObject() throws Exception {
        client.createBucket(b -> b.bucket("multi"));
        byte[] value = new byte[(10 << 20) + 3];
        new Random(3).nextBytes(value);
        String id = client.createMultipartUpload(b -> b.bucket("multi").key("big").contentType("video/x-test")).uploadId();
        List<software.amazon.awssdk.services.s3.model.CompletedPart> done = new ArrayList<>();
        done.add(part(id, 1, java.util.Arrays.copyOfRange(value, 0, 5 << 20)));
        assertEquals(List.of(id), client.listMultipartUploads(b -> b.bucket("multi")).uploads().stream()
                .map(u -> u.uploadId()).toList());

        cluster.stopIndex();
        cluster.startIndex();

        done.add(part(id, 2, java.util.Arrays.copyOfRange(value, 5 << 20, 10 << 20)));
        done.add(part(id, 3, java.util.Arrays.copyOfRange(value, 10 << 20, value.length)));
        assertEquals(List.of(1, 2, 3), client.listParts(b -> b.bucket("multi").key("big").uploadId(id)).parts().stream()
                .map(p -> p.partNumber()).toList());
        String etag = client.completeMultipartUpload(b -> b.bucket("multi").key("big").uploadId(id)
                .multipartUpload(m -> m.parts(done))).eTag();
        assertTrue(etag.endsWith("-3\""), etag);

        ResponseBytes<GetObjectResponse> got = client.getObjectAsBytes(b -> b.bucket("multi").key("big"));
        assertArrayEquals(value, got.asByteArray());
        assertEquals(etag, got.response().eTag());
        assertEquals("video/x-test", got.response().contentType());
        assertEquals("NoSuchUpload", code(() -> client.listParts(b -> b.bucket("multi").key("big").uploadId(id))));
        assertEquals(List.of(), cluster.replicaFiles("/.minikv-multipart/multi/" + id + "/00001"), "the parts are gone");

        // A client that missed the answer sends the same Complete again: it hears the same answer.
        assertEquals(etag, client.completeMultipartUpload(b -> b.bucket("multi").key("big").uploadId(id)
                .multipartUpload(m -> m.parts(done))).eTag());
        assertEquals("NoSuchUpload", code(() -> client.completeMultipartUpload(b -> b.bucket("multi").key("big")
                .uploadId(id).multipartUpload(m -> m.parts(done.subList(0, 2))))), "other parts than made the object");
        assertEquals("NoSuchUpload", code(() -> client.completeMultipartUpload(b -> b.bucket("multi").key("big")
                .uploadId("0123456789abcdef0123456789abcdef").multipartUpload(m -> m.parts(done)))), "another upload");
        client.copyObject(b -> b.sourceBucket("multi").sourceKey("big").destinationBucket("multi").destinationKey("copy"));
        assertEquals("NoSuchUpload", code(() -> client.completeMultipartUpload(b -> b.bucket("multi").key("copy")
                .uploadId(id).multipartUpload(m -> m.parts(done)))), "a copy was made by no upload");
        assertArrayEquals(value, client.getObjectAsBytes(b -> b.bucket("multi").key("big")).asByteArray());
    }

    @Test
    void uploadsUnderWayAreListedInKeyOrderAPageAtATime() {
        client.createBucket(b -> b.bucket("uploads-paged"));
        List<String> keys = List.of("b", "a", "c/d", "a", "c/e");
        List<MultipartUpload> begun = new ArrayList<>();
        for (String key : keys) {
            String id = client.createMultipartUpload(b -> b.bucket("uploads-paged").key(key)).uploadId();
            begun.add(MultipartUpload.builder().key(key).uploadId(id).build());
        }
        // Parts are kept beside their upload: they must not take its place in a page.
        for (int part = 1; part <= 3; part++) {
            int number = part;
            client.uploadPart(b -> b.bucket("uploads-paged").key("a").uploadId(begun.get(1).uploadId()).partNumber(number),
                    RequestBody.fromString("part"));
        }
        List<String> expected = begun.stream().sorted(java.util.Comparator.comparing(MultipartUpload::key)
                .thenComparing(MultipartUpload::uploadId)).map(u -> u.key() + " " + u.uploadId()).toList();

        ListMultipartUploadsResponse first = client.listMultipartUploads(b -> b.bucket("uploads-paged").maxUploads(2));
        assertTrue(first.isTruncated());
        assertEquals(expected.subList(0, 2), first.uploads().stream().map(u -> u.key() + " " + u.uploadId()).toList());
        assertEquals(expected, client.listMultipartUploadsPaginator(b -> b.bucket("uploads-paged").maxUploads(2)).uploads()
                .stream().map(u -> u.key() + " " + u.uploadId()).toList(), "every page, as the SDK follows the markers");
        assertEquals(expected.subList(3, 5), client.listMultipartUploads(b -> b.bucket("uploads-paged").prefix("c/")).uploads()
                .stream().map(u -> u.key() + " " + u.uploadId()).toList());
        assertEquals("NotImplemented", code(() -> client.listMultipartUploads(b -> b.bucket("uploads-paged").delimiter("/"))),
                "a delimiter is refused, not ignored");
        for (MultipartUpload upload : begun) {
            client.abortMultipartUpload(b -> b.bucket("uploads-paged").key(upload.key()).uploadId(upload.uploadId()));
        }
    }

    @Test
    void aMultipartUploadChecksItsPartsAndAnAbortRemovesThem() {
        client.createBucket(b -> b.bucket("multi-checks"));
        String id = client.createMultipartUpload(b -> b.bucket("multi-checks").key("k")).uploadId();
        var small = part(id, "multi-checks", 1, new byte[100]);
        var last = part(id, "multi-checks", 2, new byte[100]);
        assertEquals("EntityTooSmall", code(() -> client.completeMultipartUpload(b -> b.bucket("multi-checks").key("k")
                .uploadId(id).multipartUpload(m -> m.parts(small, last)))));
        assertEquals("InvalidPartOrder", code(() -> client.completeMultipartUpload(b -> b.bucket("multi-checks").key("k")
                .uploadId(id).multipartUpload(m -> m.parts(last, small)))));
        var wrong = software.amazon.awssdk.services.s3.model.CompletedPart.builder().partNumber(1).eTag("\"00\"").build();
        assertEquals("InvalidPart", code(() -> client.completeMultipartUpload(b -> b.bucket("multi-checks").key("k")
                .uploadId(id).multipartUpload(m -> m.parts(wrong)))));
        client.abortMultipartUpload(b -> b.bucket("multi-checks").key("k").uploadId(id));
        assertEquals("NoSuchUpload", code(() -> client.uploadPart(b -> b.bucket("multi-checks").key("k").uploadId(id)
                .partNumber(3), RequestBody.fromString("late"))));
        assertEquals("NoSuchKey", code(() -> client.getObject(b -> b.bucket("multi-checks").key("k"))));
        assertTrue(client.listMultipartUploads(b -> b.bucket("multi-checks")).uploads().isEmpty());
    }

    @Test
    void copyObjectCopiesOrReplacesMetadataAndUploadPartCopyTakesARange() {
        client.createBucket(b -> b.bucket("copies"));
        client.putObject(b -> b.bucket("copies").key("src").contentType("text/plain").metadata(Map.of("a", "1")),
                RequestBody.fromString("copy me"));
        client.copyObject(b -> b.sourceBucket("copies").sourceKey("src").destinationBucket("copies").destinationKey("same"));
        var same = client.getObjectAsBytes(b -> b.bucket("copies").key("same"));
        assertEquals("copy me", same.asUtf8String());
        assertEquals(Map.of("a", "1"), same.response().metadata());
        assertEquals("text/plain", same.response().contentType());

        client.copyObject(b -> b.sourceBucket("copies").sourceKey("src").destinationBucket("copies").destinationKey("new")
                .metadataDirective("REPLACE").contentType("text/x-other").metadata(Map.of("b", "2")));
        var replaced = client.headObject(b -> b.bucket("copies").key("new"));
        assertEquals(Map.of("b", "2"), replaced.metadata());
        assertEquals("text/x-other", replaced.contentType());
        assertEquals("InvalidRequest", code(() -> client.copyObject(b -> b.sourceBucket("copies").sourceKey("src")
                .destinationBucket("copies").destinationKey("src"))));
        assertEquals(412, status(() -> client.copyObject(b -> b.sourceBucket("copies").sourceKey("src")
                .destinationBucket("copies").destinationKey("x").copySourceIfMatch("\"nope\""))));
        assertEquals("NoSuchKey", code(() -> client.copyObject(b -> b.sourceBucket("copies").sourceKey("never")
                .destinationBucket("copies").destinationKey("x"))));

        String id = client.createMultipartUpload(b -> b.bucket("copies").key("assembled")).uploadId();
        String etag = client.uploadPartCopy(b -> b.sourceBucket("copies").sourceKey("src").destinationBucket("copies")
                .destinationKey("assembled").uploadId(id).partNumber(1).copySourceRange("bytes=5-6")).copyPartResult().eTag();
        client.completeMultipartUpload(b -> b.bucket("copies").key("assembled").uploadId(id).multipartUpload(m -> m.parts(
                software.amazon.awssdk.services.s3.model.CompletedPart.builder().partNumber(1).eTag(etag).build())));
        assertEquals("me", client.getObjectAsBytes(b -> b.bucket("copies").key("assembled")).asUtf8String());
    }

    @Test
    void aVirtualHostedRequestNamesTheBucketInItsHost() {
        client.createBucket(b -> b.bucket("vhost"));
        client.putObject(b -> b.bucket("vhost").key("dir/k"), RequestBody.fromString("by host"));
        java.net.URL url;
        try (var presigner = software.amazon.awssdk.services.s3.presigner.S3Presigner.builder()
                .endpointOverride(java.net.URI.create("http://localhost:" + s3.port()))
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3Endpoint.ACCESS_KEY,
                        S3Endpoint.SECRET_KEY))).build()) {
            url = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(g -> g.bucket("vhost").key("dir/k"))).url();
        }
        assertEquals("vhost.localhost", url.getHost(), "the SDK puts the bucket in the host");
        try (var raw = minikv.testing.RawHttp.connect(s3.url() + "/")) { // to 127.0.0.1, whatever the name resolves to
            raw.send("GET " + url.getFile() + " HTTP/1.1\r\nHost: vhost.localhost:" + s3.port() + "\r\nConnection: close\r\n\r\n");
            String answer = raw.readUntilClosed(Duration.ofSeconds(10));
            assertTrue(answer.startsWith("HTTP/1.1 200 ") && answer.endsWith("by host"), answer);
        }
    }

    private static software.amazon.awssdk.services.s3.model.CompletedPart part(String id, int number, byte[] bytes) {
        return part(id, "multi", number, bytes);
    }

    private static software.amazon.awssdk.services.s3.model.CompletedPart part(String id, String bucket, int number,
            byte[] bytes) {
        String etag = client.uploadPart(b -> b.bucket(bucket).key(bucket.equals("multi") ? "big" : "k").uploadId(id)
                .partNumber(number), RequestBody.fromBytes(bytes)).eTag();
        return software.amazon.awssdk.services.s3.model.CompletedPart.builder().partNumber(number).eTag(etag).build();
    }

    private static String code(Runnable call) {
        return assertThrows(S3Exception.class, call::run).awsErrorDetails().errorCode();
    }

    private static int status(Runnable call) {
        return assertThrows(S3Exception.class, call::run).statusCode();
    }

    private static String md5(byte[] value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(value));
    }
}
