package minikv.index;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import minikv.placement.Placement;
import minikv.s3.Payload;
import minikv.s3.S3Error;
import minikv.s3.S3Time;
import minikv.s3.S3Xml;
import minikv.s3.S3XmlInput;
import minikv.store.IndexStore;
import minikv.store.Record;

/**
 * Multipart uploads, kept on the volumes like everything else, so that an upload survives an
 * index restart and {@code rebuild}: the upload is the key {@code /.minikv-multipart/BUCKET/ID},
 * whose record holds the object's key and headers (and whose value says them again, as text),
 * and part N is the key {@code /.minikv-multipart/BUCKET/ID/0000N}. No S3 bucket can be named
 * {@code .minikv-multipart}. Complete streams the parts, in order, from the volumes into one
 * new value through {@link PutHandler} (all or nothing), then erases them.
 */
final class S3Multipart {

    static final String NAMESPACE = minikv.cluster.AbandonedUploads.PREFIX;
    /** The record header that names an upload's object. */
    static final String OBJECT_KEY = "x-minikv-upload-key";
    /** The record header of a multipart object's ETag (the md5 of its parts' md5s, then -N). */
    static final String ETAG = "x-minikv-etag";
    /** Recorded with a completed object: the upload it was made from (see {@link #completedAlready}). */
    static final String UPLOAD_ID = "x-minikv-upload-id";
    private static final long MIN_PART = 5L << 20;
    private static final int MAX_PARTS = 10_000;
    private static final int MAX_COMPLETE_BODY = 4 << 20;

    private final IndexStore store;
    private final KeyClaims claims;
    private final PutHandler put;
    private final Eraser eraser;
    private final S3Objects objects;
    private final S3Buckets buckets;
    private final S3Copy copy;

    S3Multipart(IndexStore store, KeyClaims claims, PutHandler put, Eraser eraser, S3Objects objects, S3Buckets buckets,
            S3Copy copy) {
        this.copy = copy;
        this.store = store;
        this.claims = claims;
        this.put = put;
        this.eraser = eraser;
        this.objects = objects;
        this.buckets = buckets;
    }

    /** CreateMultipartUpload. */
    void create(S3Request request) throws S3Error, HttpFailure {
        buckets.require(request.address().bucket());
        Key object = request.objectKey();
        String id = UUID.randomUUID().toString().replace("-", "");
        Map<String, String> headers = new TreeMap<>(S3Objects.storedHeaders(request.exchange().getRequestHeaders()));
        String s3Key = s3Key(object, request.address().bucket());
        headers.put(OBJECT_KEY, s3Key);
        StringBuilder text = new StringBuilder("minikv multipart upload of ").append(s3Key).append('\n');
        headers.forEach((name, value) -> text.append(name).append(": ").append(value).append('\n'));
        byte[] value = text.toString().getBytes(StandardCharsets.UTF_8);
        request.drain();
        Key upload = uploadKey(request.address().bucket(), id);
        write(upload, new PutHandler.Value(new ByteArrayInputStream(value), value.length, null, true, PutHandler.Rules.MINIKEYVALUE, headers));
        S3Answers.xml(request.exchange(), 200, new S3Xml("InitiateMultipartUploadResult")
                .element("Bucket", request.address().bucket()).element("Key", s3Key).element("UploadId", id)
                .end("InitiateMultipartUploadResult"));
    }

    /** UploadPart: a part sent again replaces the one before. */
    void uploadPart(S3Request request) throws S3Error, HttpFailure {
        Key upload = requireUpload(request);
        int number = partNumber(request.query().get("partNumber"));
        var exchange = request.exchange();
        if (request.header("x-amz-copy-source") != null) {
            S3Copy.Source source = copy.source(request);
            request.drain();
            String range = S3Copy.sourceRange(request.header("x-amz-copy-source-range"), source.record().details().size());
            Record copied = copy.write(partKey(upload, number), source, range, Map.of());
            S3Answers.xml(exchange, 200, new S3Xml("CopyPartResult")
                    .element("LastModified", S3Time.iso(copied.details().modifiedMillis()))
                    .element("ETag", S3Objects.quoted(copied.md5Hex())).end("CopyPartResult"));
            return;
        }
        long length = Payload.length(request.auth(), request.headers(), exchange.getRequestContentLength());
        if (length < 0) {
            throw new S3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
        }
        InputStream body = request.body();
        Key part = partKey(upload, number);
        Record live;
        try (KeyClaims.Claim claim = S3Request.claim(claims, part)) {
            live = put.put(part, new PutHandler.Value(body, length, null, true, PutHandler.Rules.S3, Map.of()));
        }
        exchange.getResponseHeaders().put(new io.undertow.util.HttpString("ETag"), S3Objects.quoted(live.md5Hex()));
        S3Answers.empty(exchange, 200);
    }

    /** ListParts. */
    void listParts(S3Request request) throws S3Error {
        Key upload = requireUpload(request);
        String marker = request.query().getOrDefault("part-number-marker", "0");
        int after = marker.isEmpty() ? 0 : partNumberOrZero(marker);
        int max = Math.min(1000, partNumberOrZero(request.query().getOrDefault("max-parts", "1000")));
        List<Part> parts = parts(upload);
        S3Xml xml = new S3Xml("ListPartsResult").element("Bucket", request.address().bucket())
                .element("Key", s3Key(request.objectKey(), request.address().bucket()))
                .element("UploadId", request.query().get("uploadId")).element("PartNumberMarker", after)
                .element("StorageClass", "STANDARD").element("MaxParts", max);
        List<Part> page = parts.stream().filter(p -> p.number > after).limit(max).toList();
        boolean truncated = parts.stream().filter(p -> p.number > after).count() > page.size();
        if (!page.isEmpty()) {
            xml.element("NextPartNumberMarker", page.get(page.size() - 1).number);
        }
        xml.element("IsTruncated", truncated);
        for (Part p : page) {
            xml.open("Part").element("PartNumber", p.number).element("LastModified", S3Time.iso(p.record.details().modifiedMillis()))
                    .element("ETag", S3Objects.quoted(p.record.md5Hex())).element("Size", p.record.details().size()).close("Part");
        }
        S3Answers.xml(request.exchange(), 200, xml.end("ListPartsResult"));
    }

    /** AbortMultipartUpload: its parts go, then the upload. */
    void abort(S3Request request) throws S3Error, HttpFailure {
        Key upload = requireUpload(request);
        eraseUpload(upload);
        S3Answers.empty(request.exchange(), 204);
    }

    /** CompleteMultipartUpload: the parts named, in order, become the object. */
    void complete(S3Request request) throws S3Error, HttpFailure {
        Key upload;
        try {
            upload = requireUpload(request);
        } catch (S3Error gone) {
            completedAlready(request, gone);
            return;
        }
        Record uploadRecord = store.get(upload.bytes());
        List<Part> chosen = chosenParts(request, parts(upload));
        long length = 0;
        for (Part p : chosen) {
            length += p.record.details().size();
        }
        String etag = etag(chosen.stream().map(p -> p.record.md5Hex()).toList());
        Map<String, String> headers = new TreeMap<>(uploadRecord.details().headers());
        headers.remove(OBJECT_KEY);
        headers.put(ETAG, etag);
        headers.put(UPLOAD_ID, request.query().get("uploadId"));
        Key object = request.objectKey();
        try (InputStream body = SourceUnreadable.guard(new PartsInput(objects, chosen), "the upload's parts")) {
            try (KeyClaims.Claim claim = S3Request.claim(claims, object)) {
                objects.write(object, new PutHandler.Value(body, length, null, true, PutHandler.Rules.S3, headers));
            }
        } catch (IOException e) {
            throw new S3Error(500, "InternalError", "reading the parts: " + e.getMessage());
        }
        eraseUpload(upload);
        answerCompleted(request, object, etag);
    }

    /**
     * A Complete sent again after its upload was completed, as a client that never heard the
     * first answer (a timeout, a dropped connection) does: answered as the first was while the
     * object is still the one that upload made of the same parts, else {@code gone}
     * (NoSuchUpload). S3 answers such a retry too; without this a client saw its completed
     * upload fail.
     */
    private void completedAlready(S3Request request, S3Error gone) throws S3Error {
        Key object = request.objectKey();
        Record record = store.get(object.bytes());
        if (record == null || record.state() != Record.State.LIVE
                || !String.valueOf(request.query().get("uploadId")).equals(record.details().headers().get(UPLOAD_ID))) {
            throw gone;
        }
        List<String> md5s = new ArrayList<>();
        for (S3XmlInput part : listedParts(request)) {
            md5s.add(String.valueOf(part.text("ETag")).strip().replace("\"", ""));
        }
        String etag;
        try {
            etag = etag(md5s);
        } catch (IllegalArgumentException e) { // an ETag that is no md5: not the parts that made it
            throw gone;
        }
        if (!etag.equals(record.details().headers().get(ETAG))) {
            throw gone;
        }
        answerCompleted(request, object, etag);
    }

    private static void answerCompleted(S3Request request, Key object, String etag) {
        String bucket = request.address().bucket();
        S3Answers.xml(request.exchange(), 200, new S3Xml("CompleteMultipartUploadResult")
                .element("Location", "/" + bucket + "/" + s3Key(object, bucket))
                .element("Bucket", bucket).element("Key", s3Key(object, bucket))
                .element("ETag", S3Objects.quoted(etag)).end("CompleteMultipartUploadResult"));
    }

    /** A multipart object's ETag: the md5 of its parts' md5s (hex), then "-" and how many parts. */
    static String etag(List<String> partMd5s) {
        MessageDigest md5s = Placement.md5Digest();
        for (String md5 : partMd5s) {
            md5s.update(HexFormat.of().parseHex(md5));
        }
        return HexFormat.of().formatHex(md5s.digest()) + "-" + partMd5s.size();
    }

    /** The Part elements of a Complete body, at least one. */
    private static List<S3XmlInput> listedParts(S3Request request) throws S3Error {
        List<S3XmlInput> listed = S3XmlInput.parse(request.smallBody(MAX_COMPLETE_BODY), "CompleteMultipartUpload").children("Part");
        if (listed.isEmpty()) {
            throw S3Error.badRequest("MalformedXML", "You must specify at least one part");
        }
        return listed;
    }

    /** The parts the Complete body lists, checked against those uploaded. */
    private List<Part> chosenParts(S3Request request, List<Part> uploaded) throws S3Error {
        List<S3XmlInput> listed = listedParts(request);
        Map<Integer, Part> byNumber = new TreeMap<>();
        uploaded.forEach(p -> byNumber.put(p.number, p));
        List<Part> chosen = new ArrayList<>();
        int previous = 0;
        for (S3XmlInput part : listed) {
            int number = partNumberOrZero(String.valueOf(part.text("PartNumber")).strip());
            if (number <= previous) {
                throw S3Error.badRequest("InvalidPartOrder", "The list of parts was not in ascending order.");
            }
            previous = number;
            Part found = byNumber.get(number);
            String etag = String.valueOf(part.text("ETag")).strip().replace("\"", "");
            if (found == null || !found.record.md5Hex().equals(etag)) {
                throw S3Error.badRequest("InvalidPart", "One or more of the specified parts could not be found: part "
                        + number);
            }
            chosen.add(found);
        }
        for (int i = 0; i < chosen.size() - 1; i++) {
            if (chosen.get(i).record.details().size() < MIN_PART) {
                throw S3Error.badRequest("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size:"
                        + " part " + chosen.get(i).number + " has " + chosen.get(i).record.details().size()
                        + " bytes, and every part but the last needs 5 MiB");
            }
        }
        return chosen;
    }

    /** One uploaded part: its number, key and record. */
    record Part(int number, Key key, Record record) {}

    private List<Part> parts(Key upload) {
        byte[] prefix = (upload.text() + "/").getBytes(StandardCharsets.UTF_8);
        List<Part> parts = new ArrayList<>();
        try (IndexStore.Snapshot snapshot = store.snapshot()) {
            snapshot.scanRecords(prefix, prefix, Record.State.LIVE, (key, record) -> {
                String number = new String(key, prefix.length, key.length - prefix.length, StandardCharsets.UTF_8);
                parts.add(new Part(partNumberOrZero(number), Key.fromStored(key), record));
                return parts.size() <= MAX_PARTS;
            });
        }
        return parts;
    }

    void eraseUpload(Key upload) throws HttpFailure {
        for (Part p : parts(upload)) {
            try (KeyClaims.Claim claim = claims.claimWithin(p.key, S3Answers.CLAIM_PATIENCE)) {
                if (claim != null) {
                    eraser.erase(p.key, p.record);
                }
            }
        }
        try (KeyClaims.Claim claim = claims.claimWithin(upload, S3Answers.CLAIM_PATIENCE)) {
            Record record = store.get(upload.bytes());
            if (claim != null && record != null) {
                eraser.erase(upload, record);
            }
        }
    }

    /** Writes the upload record {@code key} under its claim. */
    private void write(Key key, PutHandler.Value value) throws S3Error, HttpFailure {
        try (KeyClaims.Claim claim = S3Request.claim(claims, key)) {
            put.put(key, value);
        }
    }

    /** The upload the request's uploadId names, for the request's bucket and key. */
    private Key requireUpload(S3Request request) throws S3Error {
        String id = request.query().get("uploadId");
        Key upload = id == null || !id.matches("[0-9a-f]{32}") ? null : uploadKey(request.address().bucket(), id);
        Record record = upload == null ? null : store.get(upload.bytes());
        if (record == null || record.state() != Record.State.LIVE
                || !s3Key(request.objectKey(), request.address().bucket()).equals(record.details().headers().get(OBJECT_KEY))) {
            throw new S3Error(404, "NoSuchUpload", "The specified multipart upload does not exist: " + id);
        }
        return upload;
    }

    /**
     * Aborts every upload begun before {@code before} (epoch ms): parts first, then the upload,
     * as AbortMultipartUpload does; and erases the parts older than that whose upload is gone (a
     * crash in the middle of an abort). Records rebuilt from the volumes know no time (0), so
     * after a rebuild the uploads that were under way are aborted at the first sweep: their
     * records no longer say which object they were for. Returns how many keys went.
     */
    int abortBegunBefore(long before) {
        byte[] prefix = NAMESPACE.getBytes(StandardCharsets.UTF_8);
        List<Key> uploads = new ArrayList<>();
        List<S3Multipart.Part> orphans = new ArrayList<>();
        try (IndexStore.Snapshot snapshot = store.snapshot()) {
            snapshot.scanRecords(prefix, prefix, Record.State.LIVE, (key, record) -> {
                if (record.details().modifiedMillis() >= before) {
                    return true;
                }
                String below = new String(key, prefix.length, key.length - prefix.length, StandardCharsets.UTF_8);
                String[] parts = below.split("/", -1); // BUCKET/ID or BUCKET/ID/NNNNN
                if (parts.length == 2) {
                    uploads.add(Key.fromStored(key));
                } else if (parts.length == 3) {
                    Record upload = store.get(uploadKey(parts[0], parts[1]).bytes());
                    if (upload == null || upload.state() != Record.State.LIVE) {
                        orphans.add(new Part(partNumberOrZero(parts[2]), Key.fromStored(key), record));
                    }
                }
                return true;
            });
        }
        int gone = 0;
        try {
            for (Key upload : uploads) {
                eraseUpload(upload);
                gone++;
            }
            for (Part part : orphans) {
                try (KeyClaims.Claim claim = claims.claimWithin(part.key(), S3Answers.CLAIM_PATIENCE)) {
                    if (claim != null) {
                        eraser.erase(part.key(), part.record());
                        gone++;
                    }
                }
            }
        } catch (HttpFailure e) {
            // a volume down, or the key changed meanwhile: the next sweep tries again
        }
        return gone;
    }

    static Key uploadKey(String bucket, String id) {
        return Key.fromStored((NAMESPACE + bucket + "/" + id).getBytes(StandardCharsets.UTF_8));
    }

    private static Key partKey(Key upload, int number) {
        return Key.fromStored(String.format("%s/%05d", upload.text(), number).getBytes(StandardCharsets.UTF_8));
    }

    /** The S3 key of {@code object}, the minikv key {@code /bucket/KEY}. */
    static String s3Key(Key object, String bucket) {
        return object.text().substring(bucket.length() + 2);
    }

    private static int partNumber(String text) throws S3Error {
        int n = partNumberOrZero(text == null ? "" : text);
        if (n < 1 || n > MAX_PARTS) {
            throw S3Error.badRequest("InvalidArgument", "Part number must be an integer between 1 and " + MAX_PARTS);
        }
        return n;
    }

    private static int partNumberOrZero(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
