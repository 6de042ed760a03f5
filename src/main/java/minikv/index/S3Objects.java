package minikv.index;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import minikv.cluster.ReplicaName;
import minikv.http.Answer;
import minikv.placement.Placement;
import minikv.s3.Payload;
import minikv.s3.Preconditions;
import minikv.s3.S3Error;
import minikv.s3.S3Time;
import minikv.store.IndexStore;
import minikv.store.Record;
import org.xnio.channels.Channels;
import org.xnio.channels.StreamSinkChannel;

/**
 * PutObject, GetObject, HeadObject and DeleteObject on the key {@code /bucket/key}. A PUT goes
 * through {@link PutHandler} (all or nothing, durable before 200) with the headers S3 stores;
 * a GET streams the value from one replica through the index, for clients that never follow
 * a redirect, through one fixed buffer whatever its size.
 */
final class S3Objects {

    /** Headers stored with an object and given back on GET and HEAD, besides x-amz-meta-*. */
    private static final List<String> STORED = List.of("content-type", "content-disposition", "content-encoding",
            "content-language", "cache-control", "expires");
    private static final String USER_METADATA = "x-amz-meta-";
    /** Record headers of minikv's own, never sent to clients. */
    private static final String MINIKV_HEADERS = "x-minikv-";
    /** S3's limit on the x-amz-meta-* headers of one object, names and values together. */
    private static final int MAX_USER_METADATA = 2048;
    /** The most a GET holds of a value at once. */
    private static final int BUFFER_BYTES = 1024 * 1024;
    private static final HttpString ETAG = new HttpString("ETag");

    private final IndexStore store;
    private final KeyClaims claims;
    private final PutHandler put;
    private final Eraser eraser;
    private final Volumes volumes;
    private final S3Buckets buckets;
    private final java.time.Duration volumeTimeout;
    private final S3HeadersCopies headersCopies;

    S3Objects(IndexStore store, KeyClaims claims, PutHandler put, Eraser eraser, S3HeadersCopies headersCopies,
            Volumes volumes, S3Buckets buckets, java.time.Duration volumeTimeout) {
        this.store = store;
        this.claims = claims;
        this.put = put;
        this.eraser = eraser;
        this.volumes = volumes;
        this.buckets = buckets;
        this.volumeTimeout = volumeTimeout;
        this.headersCopies = headersCopies;
    }

    /**
     * Writes the S3 object {@code key} under the caller's claim: its value, then the copy of its
     * headers on the volumes (see {@link S3HeadersCopies}). Returns the record now live.
     */
    Record write(Key key, PutHandler.Value value) throws HttpFailure {
        Record live = put.put(key, value);
        headersCopies.keep(key, live);
        return live;
    }

    void put(S3Request request) throws S3Error, HttpFailure {
        Key key = request.objectKey();
        buckets.require(request.address().bucket());
        HttpServerExchange exchange = request.exchange();
        long length = Payload.length(request.auth(), request.headers(), exchange.getRequestContentLength());
        if (length < 0 && !exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING)) {
            throw new S3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
        }
        Map<String, String> stored = storedHeaders(exchange.getRequestHeaders());
        InputStream body = request.body();
        Record live;
        try (KeyClaims.Claim claim = S3Request.claim(claims, key)) {
            Record old = store.get(key.bytes());
            boolean exists = old != null && old.state() == Record.State.LIVE;
            if (exists && "*".equals(request.header("If-None-Match"))) {
                throw new S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not"
                        + " hold: the key exists (If-None-Match: *)");
            }
            String ifMatch = request.header("If-Match");
            if (ifMatch != null && !exists) {
                throw new S3Error(404, "NoSuchKey", "The specified key does not exist (If-Match).");
            }
            if (ifMatch != null && !Preconditions.matches(ifMatch, etagOf(old))) {
                throw new S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not"
                        + " hold: If-Match");
            }
            live = write(key, new PutHandler.Value(body, length, null, true, PutHandler.Rules.S3, stored));
        }
        exchange.getResponseHeaders().put(ETAG, quoted(live.md5Hex()));
        S3Answers.empty(exchange, 200);
    }

    /** GetObject and HeadObject, with Range and the conditional headers. */
    void get(S3Request request) throws S3Error {
        Key key = request.objectKey();
        Record record = store.get(key.bytes());
        if (record == null || record.state() != Record.State.LIVE) {
            buckets.require(request.address().bucket()); // NoSuchBucket says more than NoSuchKey
            throw new S3Error(404, "NoSuchKey", "The specified key does not exist.");
        }
        boolean head = request.method().equals("HEAD");
        // In the moment a replace renames its new value into place, each replica holds the old
        // value or the new one: read the new one, with its own ETag and headers, where it is not moved yet.
        boolean newValue = record.next() != null && record.nextComplete();
        record = newValue ? record.next() : record;
        // A value of a buffer or more is read from its volume into a direct buffer (copy).
        boolean large = !head && record.details().size() >= BUFFER_BYTES;
        try (Answer answer = fetch(key, record, head, request.header("Range"), newValue, large)) {
            HttpServerExchange exchange = request.exchange();
            long modified = record.details().modifiedMillis() > 0 ? record.details().modifiedMillis()
                    : Math.max(0, S3Time.parseHttp(String.valueOf(answer.header("Last-Modified"))));
            int precondition = Preconditions.check(request.header("If-Match"), request.header("If-None-Match"),
                    request.header("If-Modified-Since"), request.header("If-Unmodified-Since"), etagOf(record), modified);
            if (precondition == 412) {
                throw new S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
            }
            HeaderMap out = exchange.getResponseHeaders();
            if (etagOf(record) != null) {
                out.put(ETAG, quoted(etagOf(record)));
            }
            out.put(Headers.LAST_MODIFIED, S3Time.http(modified));
            if (precondition == 304) {
                exchange.setStatusCode(304);
                exchange.endExchange();
                return;
            }
            if (answer.status() == 416) {
                throw new S3Error(416, "InvalidRange", "The requested range is not satisfiable");
            }
            out.put(Headers.ACCEPT_RANGES, "bytes");
            out.put(Headers.CONTENT_TYPE, "binary/octet-stream");
            record.details().headers().forEach((name, value) -> {
                if (!name.startsWith(MINIKV_HEADERS)) {
                    out.put(new HttpString(name), value);
                }
            });
            responseOverrides(request, out);
            if (answer.header("Content-Range") != null) {
                out.put(Headers.CONTENT_RANGE, answer.header("Content-Range"));
            }
            out.put(Headers.CONTENT_LENGTH, answer.contentLength());
            exchange.setStatusCode(answer.status());
            if (head) {
                exchange.endExchange();
                return;
            }
            copy(answer, exchange, large);
        } catch (IOException e) {
            // The value was on its way: the client sees a body cut short, as from any server.
            request.exchange().setPersistent(false);
            request.exchange().endExchange();
        }
    }

    void delete(S3Request request) throws S3Error, HttpFailure {
        Key key = request.objectKey();
        buckets.require(request.address().bucket());
        erase(key);
        S3Answers.empty(request.exchange(), 204); // S3 says 204 whether or not the key was there
    }

    /** Erases {@code key} and its replicas, if it has a record, under its claim. */
    private void erase(Key key) throws S3Error, HttpFailure {
        try (KeyClaims.Claim claim = S3Request.claim(claims, key)) {
            Record record = store.get(key.bytes());
            if (record != null) {
                eraser.erase(key, record);
            }
            headersCopies.drop(key);
        }
    }

    void deleteMany(S3Request request) throws S3Error {
        buckets.require(request.address().bucket());
        new S3DeleteObjects(this).answer(request);
    }

    /**
     * The size and time (epoch ms) of a value whose record does not know them (written before
     * records did), from a HEAD of one replica; -1 and 0 if none answers.
     */
    long[] sizeAndTime(Key key, Record record) {
        try (Answer answer = fetch(key, record, true, null)) {
            return new long[] {answer.contentLength(),
                    Math.max(0, S3Time.parseHttp(String.valueOf(answer.header("Last-Modified"))))};
        } catch (S3Error | IOException e) {
            return new long[] {-1, 0};
        }
    }

    /** DeleteObject for one key of a DeleteObjects: null if done, else the error. */
    S3Error deleteOne(S3Request request, String objectKey) {
        try {
            erase(S3Request.objectKey(request.address().bucket(), minikv.s3.UriEncoding.encode(
                    objectKey.getBytes(java.nio.charset.StandardCharsets.UTF_8), false)));
            return null;
        } catch (S3Error e) {
            return e;
        } catch (HttpFailure e) {
            return S3Answers.of(e);
        }
    }

    /**
     * The answer of one replica's volume, trying the others (from a random one on, those whose
     * volume is up first) if one is down or fails. A HEAD asks the volume too: it says whether the
     * replica is there, and its Content-Length.
     */
    Answer fetch(Key key, Record record, boolean head, String range) throws S3Error {
        return fetch(key, record, head, range, false, false);
    }

    /**
     * As {@link #fetch(Key, Record, boolean, String)}, trying each replica's unlinked name first if
     * {@code unlinkedFirst}, on a connection for a large body if {@code large}.
     */
    private Answer fetch(Key key, Record record, boolean head, String range, boolean unlinkedFirst, boolean large)
            throws S3Error {
        List<String> locations = new ArrayList<>(record.locations());
        java.util.Collections.rotate(locations, ThreadLocalRandom.current().nextInt(locations.size()));
        locations.sort((a, b) -> Boolean.compare(!volumes.health().isUp(a), !volumes.health().isUp(b)));
        String failure = "no replica";
        for (String location : locations) {
            for (boolean unlinked : unlinkedFirst ? new boolean[] {true, false} : new boolean[] {false}) {
                try {
                    String volume = Placement.volumeOf(location);
                    String path = ReplicaName.path(location, key.bytes(), unlinked);
                    String[] headers = range == null ? new String[0] : new String[] {"Range", range};
                    Answer answer = large ? volumes.http().askForLargeBody(volume, "GET", path, volumeTimeout, headers)
                            : volumes.http().ask(volume, head ? "HEAD" : "GET", path, volumeTimeout, headers);
                    if (answer.status() == 200 || answer.status() == 206 || answer.status() == 416) {
                        return answer;
                    }
                    failure = location + " answered " + answer.status();
                    answer.close();
                } catch (IOException e) {
                    failure = location + ": " + e.getMessage();
                }
            }
        }
        throw new S3Error(503, "ServiceUnavailable", "no replica of " + key + " could be read (" + failure + ")");
    }

    static Map<String, String> storedHeaders(HeaderMap headers) throws S3Error {
        Map<String, String> stored = new TreeMap<>();
        int userBytes = 0;
        for (var values : headers) {
            String name = values.getHeaderName().toString().toLowerCase(Locale.ROOT);
            String value = values.getFirst();
            if (name.equals("content-encoding")) {
                value = withoutAwsChunked(value);
            }
            if (name.startsWith(USER_METADATA) && value != null) { // an empty value is metadata too
                userBytes += name.length() - USER_METADATA.length() + value.length();
                stored.put(name, value);
                continue;
            }
            if (value == null || value.isEmpty()) {
                continue;
            }
            if (name.startsWith(USER_METADATA)) {
                userBytes += name.length() - USER_METADATA.length() + value.length();
                stored.put(name, value);
            } else if (STORED.contains(name)) {
                stored.put(name, value);
            }
        }
        if (userBytes > MAX_USER_METADATA) {
            throw S3Error.badRequest("MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size ("
                    + MAX_USER_METADATA + " bytes)");
        }
        return stored;
    }

    /** aws-chunked is how the body was sent, not what it is. */
    private static String withoutAwsChunked(String encoding) {
        List<String> kept = new ArrayList<>();
        for (String part : encoding.split(",")) {
            if (!part.strip().equalsIgnoreCase("aws-chunked") && !part.isBlank()) {
                kept.add(part.strip());
            }
        }
        return String.join(", ", kept);
    }

    /** The response-* query parameters of a (presigned) GET override the stored headers. */
    private static void responseOverrides(S3Request request, HeaderMap out) {
        for (String name : List.of("content-type", "content-language", "expires", "cache-control", "content-disposition",
                "content-encoding")) {
            String value = request.query().get("response-" + name);
            if (value != null) {
                out.put(new HttpString(name), value);
            }
        }
    }

    /**
     * Copies the body straight to the response channel, a whole buffer per write. Through
     * Undertow's output stream each write would be cut into its 16 KiB pooled buffers, which
     * made a 1 GiB GET take 1.16 s where this takes 0.80 s (scripts/bench --only s3, one session).
     * A {@code large} value (its answer from {@link minikv.http.ClusterHttp#askForLargeBody}) goes through a
     * direct buffer, which the volume's socket fills and the client's socket drains with no copy
     * in between: 1 GiB in 0.81-0.89 s where a byte array took 0.94-1.11 s (three rounds, old and
     * new in turn, 4 GETs each).
     */
    private static void copy(Answer answer, HttpServerExchange exchange, boolean large) throws IOException {
        long length = answer.contentLength();
        int size = (int) (length < 0 ? BUFFER_BYTES : Math.max(1, Math.min(length, BUFFER_BYTES)));
        ByteBuffer buffer = large ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
        StreamSinkChannel out = exchange.getResponseChannel();
        while (true) {
            buffer.clear();
            while (buffer.hasRemaining() && answer.read(buffer) > 0) {
                // fill it: one write per buffer
            }
            if (buffer.position() == 0) {
                break;
            }
            Channels.writeBlocking(out, buffer.flip());
        }
        out.shutdownWrites();
        Channels.flushBlocking(out);
    }

    /** A multipart object's ETag (see {@link S3Multipart}), else the md5, else null. */
    static String etagOf(Record record) {
        String multipart = record.details().headers().get(S3Multipart.ETAG);
        return multipart != null ? multipart : record.md5Hex();
    }

    static String quoted(String md5Hex) {
        return "\"" + md5Hex + "\"";
    }
}
