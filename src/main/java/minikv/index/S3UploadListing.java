package minikv.index;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import minikv.s3.S3Error;
import minikv.s3.S3Time;
import minikv.s3.S3Xml;
import minikv.s3.UriEncoding;
import minikv.store.IndexStore;
import minikv.store.Record;

/**
 * ListMultipartUploads: a bucket's uploads under way, in key order (the uploads of one key by
 * upload ID), after {@code key-marker} and {@code upload-id-marker}, those whose key starts with
 * {@code prefix}, at most {@code max-uploads} (1,000) a page, with the markers to ask for the
 * next. The store holds uploads by ID (see {@link S3Multipart}), so the bucket's are read whole
 * and sorted; the scan seeks past each upload's parts, so its parts cost nothing.
 */
final class S3UploadListing {

    static final int MAX_UPLOADS = 1000;

    /** An upload under way: its object's S3 key, its ID, when it began (epoch ms). */
    record Upload(String key, String id, long initiated) {}

    record Page(List<Upload> uploads, boolean truncated) {}

    /** S3 orders keys by their UTF-8 bytes. */
    private static final Comparator<Upload> ORDER = Comparator.<Upload, byte[]>comparing(u -> utf8(u.key()),
            Arrays::compareUnsigned).thenComparing(Upload::id);

    private final IndexStore store;
    private final S3Buckets buckets;

    S3UploadListing(IndexStore store, S3Buckets buckets) {
        this.store = store;
        this.buckets = buckets;
    }

    void answer(S3Request request) throws S3Error {
        String bucket = request.address().bucket();
        buckets.require(bucket);
        String delimiter = request.query().get("delimiter");
        if (delimiter != null && !delimiter.isEmpty()) {
            throw S3Error.notImplemented("a delimiter in ListMultipartUploads");
        }
        String prefix = request.query().getOrDefault("prefix", "");
        String keyMarker = request.query().getOrDefault("key-marker", "");
        String idMarker = request.query().getOrDefault("upload-id-marker", "");
        int max = maxUploads(request.query().get("max-uploads"));
        String encoding = request.query().get("encoding-type");
        if (encoding != null && !encoding.equals("url")) {
            throw S3Error.badRequest("InvalidArgument", "Invalid Encoding Method specified in Request: " + encoding);
        }
        boolean url = encoding != null;
        Page page = page(uploads(bucket), prefix, keyMarker, idMarker, max);

        String user = request.auth().accessKeyId();
        S3Xml xml = new S3Xml("ListMultipartUploadsResult").element("Bucket", bucket)
                .element("KeyMarker", encode(keyMarker, url)).element("UploadIdMarker", idMarker);
        if (!page.uploads().isEmpty()) {
            Upload last = page.uploads().get(page.uploads().size() - 1);
            xml.element("NextKeyMarker", encode(last.key(), url)).element("NextUploadIdMarker", last.id());
        }
        xml.element("Prefix", encode(prefix, url)).element("MaxUploads", max)
                .element("EncodingType", url ? "url" : null).element("IsTruncated", page.truncated());
        for (Upload upload : page.uploads()) {
            xml.open("Upload").element("Key", encode(upload.key(), url)).element("UploadId", upload.id())
                    .open("Initiator").element("ID", user).element("DisplayName", user).close("Initiator")
                    .open("Owner").element("ID", user).element("DisplayName", user).close("Owner")
                    .element("Initiated", S3Time.iso(upload.initiated()))
                    .element("StorageClass", "STANDARD").close("Upload");
        }
        S3Answers.xml(request.exchange(), 200, xml.end("ListMultipartUploadsResult"));
    }

    /** Of {@code all} (in any order), the page after the markers. */
    static Page page(List<Upload> all, String prefix, String keyMarker, String idMarker, int max) {
        List<Upload> after = all.stream().filter(u -> u.key().startsWith(prefix))
                .filter(u -> isAfter(u, keyMarker, idMarker)).sorted(ORDER).toList();
        return new Page(after.subList(0, Math.min(max, after.size())), after.size() > max);
    }

    /**
     * S3: with a key marker alone, the keys after it; with an upload ID marker too, also the
     * uploads of the marker's own key whose ID comes after it.
     */
    private static boolean isAfter(Upload upload, String keyMarker, String idMarker) {
        if (keyMarker.isEmpty()) {
            return true;
        }
        int c = Arrays.compareUnsigned(utf8(upload.key()), utf8(keyMarker));
        return c > 0 || (c == 0 && !idMarker.isEmpty() && upload.id().compareTo(idMarker) > 0);
    }

    /** The bucket's uploads: each upload's record, then a seek past its parts. */
    private List<Upload> uploads(String bucket) {
        byte[] prefix = utf8(S3Multipart.NAMESPACE + bucket + "/");
        List<Upload> uploads = new ArrayList<>();
        try (IndexStore.Snapshot snapshot = store.snapshot()) {
            byte[][] next = {prefix};
            while (next[0] != null) {
                byte[] start = next[0];
                next[0] = null;
                snapshot.scanRecords(prefix, start, Record.State.LIVE, (key, record) -> {
                    String id = new String(key, prefix.length, key.length - prefix.length, StandardCharsets.UTF_8);
                    String objectKey = record.details().headers().get(S3Multipart.OBJECT_KEY);
                    if (id.indexOf('/') < 0 && objectKey != null) {
                        uploads.add(new Upload(objectKey, id, record.details().modifiedMillis()));
                    }
                    // Parts are ID/NNNNN, which sort before ID0, and ID0 before the next ID.
                    next[0] = utf8(S3Multipart.NAMESPACE + bucket + "/" + id.split("/", 2)[0] + "0");
                    return false;
                });
            }
        }
        return uploads;
    }

    private static int maxUploads(String text) throws S3Error {
        if (text == null) {
            return MAX_UPLOADS;
        }
        try {
            int max = Integer.parseInt(text);
            if (max >= 0) {
                return Math.min(MAX_UPLOADS, max);
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw S3Error.badRequest("InvalidArgument", "max-uploads must be a number from 0 to 1000, not " + text);
    }

    private static String encode(String text, boolean url) {
        return url ? UriEncoding.encode(utf8(text), false) : text;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
