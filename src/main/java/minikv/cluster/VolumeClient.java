package minikv.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import minikv.placement.Placement;
import minikv.security.ClusterSecret;

/**
 * What the tools ask of volume servers (nginx): listings, HEAD, reads through md5, streamed
 * copies from one volume to another, DELETE and MOVE. Values stream through one fixed buffer.
 *
 * <p>HttpURLConnection for everything it can send (its keep-alive pool measured about twice the
 * JDK HttpClient's request rate on this hardware); MOVE, a method HttpURLConnection refuses, goes
 * through HttpClient. Reads that may safely be repeated are retried a few times, so that one
 * dropped keep-alive connection does not count as a damaged replica.
 */
public final class VolumeClient {

    private static final int BUFFER_BYTES = 64 * 1024;
    private static final int ATTEMPTS = 3;
    /** Set by volume.conf on its refusal to serve a symbolic link. */
    static final String LINK_REFUSAL_HEADER = "Minikv-Refusal";
    private static final String FORBIDDEN_HINT = " (a volume started with --secret-file needs the same --secret-file here;"
            + " or --allow does not list this host)";

    private final int connectMillis;
    private final int readMillis;
    private final Optional<ClusterSecret> secret;
    private final HttpClient dav;

    /**
     * @param connect how long a volume may take to accept a connection
     * @param read    how long it may then take to answer, or to send the next bytes
     * @param secret  sent with every request: volumes started with {@code --secret-file} take
     *                writes only with it, and with {@code --signed-reads} reads and listings too
     */
    public VolumeClient(Duration connect, Duration read, Optional<ClusterSecret> secret) {
        this.connectMillis = (int) connect.toMillis();
        this.readMillis = (int) read.toMillis();
        this.secret = secret;
        this.dav = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connect)
                .proxy(HttpClient.Builder.NO_PROXY).build();
    }

    /** A file's length and md5, as read. */
    public record Content(long size, byte[] md5) {
        public String md5Hex() {
            return HexFormat.of().formatHex(md5);
        }

        public boolean hasMd5(byte[] expected) {
            return Arrays.equals(md5, expected);
        }
    }

    /**
     * The listing of directory {@code dir} ({@code /}, {@code /sv01/5d/41/}) on {@code volume}.
     *
     * @return the entries, or null if there is no such directory
     */
    public List<Autoindex.Entry> list(String volume, String dir) throws IOException {
        String url = "http://" + volume + dir;
        return retried(() -> {
            HttpURLConnection c = get(url);
            if (c == null) {
                return null;
            }
            try (InputStream in = c.getInputStream()) {
                return Autoindex.parse(in);
            }
        });
    }

    /** The length of the file at {@code url}, or -1 if there is none. */
    public long size(String url) throws IOException {
        return retried(() -> {
            HttpURLConnection c = open(url, "HEAD");
            int code = c.getResponseCode();
            drain(c);
            if (code == 404) {
                return -1L;
            }
            expect(c, "HEAD", url, 200);
            return c.getContentLengthLong();
        });
    }

    /** Reads the whole file at {@code url} through md5; null if there is none. */
    public Content read(String url) throws IOException {
        return retried(() -> {
            HttpURLConnection c = get(url);
            if (c == null) {
                return null;
            }
            MessageDigest md5 = Placement.md5Digest();
            long size = 0;
            byte[] buffer = new byte[BUFFER_BYTES];
            try (InputStream in = c.getInputStream()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    md5.update(buffer, 0, n);
                    size += n;
                }
            }
            return new Content(size, md5.digest());
        });
    }

    /**
     * Streams the file at {@code from} to {@code to} (PUT), through md5. When {@code expectedMd5}
     * is given, the last byte is held back until the md5 is known, and the upload is abandoned
     * if it differs: nginx renames a PUT into place only once the whole body has arrived, so a
     * bad source leaves nothing at {@code to}.
     *
     * @return what the source held (compare its md5 with the expected one to know whether
     *     anything was written), or null if the source has no such file
     */
    public Content copy(String from, String to, byte[] expectedMd5) throws IOException {
        HttpURLConnection get = get(from);
        if (get == null) {
            return null;
        }
        long length = get.getContentLengthLong();
        if (length < 0) {
            drain(get);
            throw new IOException("GET " + from + " sent no Content-Length");
        }
        if (length == 0) {
            // Nothing to hold back: a PUT of no bytes is complete as soon as it is sent.
            drain(get);
            Content empty = new Content(0, Placement.md5(new byte[0]));
            if (expectedMd5 == null || empty.hasMd5(expectedMd5)) {
                HttpURLConnection put = put(to, 0);
                put.getOutputStream().close();
                expect(put, "PUT", to, 201, 204);
                drain(put);
            }
            return empty;
        }
        HttpURLConnection put = put(to, length);
        MessageDigest md5 = Placement.md5Digest();
        byte[] buffer = new byte[BUFFER_BYTES];
        long copied = 0;
        Content content;
        try (InputStream in = get.getInputStream()) {
            OutputStream out = put.getOutputStream();
            int held = 0; // bytes read but not yet sent: at most the last one
            for (int n = in.read(buffer, held, buffer.length - held); n >= 0; n = in.read(buffer, held, buffer.length - held)) {
                md5.update(buffer, held, n);
                copied += n;
                int total = held + n;
                out.write(buffer, 0, total - 1);
                buffer[0] = buffer[total - 1];
                held = 1;
            }
            if (copied != length) {
                put.disconnect();
                throw new IOException("GET " + from + " ended after " + copied + " of " + length + " bytes");
            }
            content = new Content(length, md5.digest());
            if (expectedMd5 != null && !content.hasMd5(expectedMd5)) {
                put.disconnect(); // the body stays incomplete: nginx discards it
                return content;
            }
            out.write(buffer, 0, held);
            out.close();
        } catch (IOException e) {
            put.disconnect();
            throw e;
        }
        try {
            expect(put, "PUT", to, 201, 204);
        } catch (SocketTimeoutException e) {
            put.disconnect();
            throw new OutcomeUnknown("PUT " + to + " was sent whole but got no answer within " + readMillis
                    + " ms: whether the volume stored it is unknown", e);
        }
        drain(put);
        return content;
    }

    /**
     * A copy's whole body went out but no answer came: the volume may still store it. It must
     * be neither retried elsewhere nor undone as if it had failed (a DELETE could reach the disk
     * first); a copy that lands later is a stray of the right value, which verify finds.
     */
    public static final class OutcomeUnknown extends IOException {
        OutcomeUnknown(String message, IOException cause) {
            super(message, cause);
        }
    }

    private HttpURLConnection put(String url, long length) throws IOException {
        HttpURLConnection put = open(url, "PUT");
        put.setDoOutput(true);
        put.setFixedLengthStreamingMode(length);
        return put;
    }

    /** Deletes the file at {@code url}; false if there was none. */
    public boolean delete(String url) throws IOException {
        return retried(() -> {
            HttpURLConnection c = open(url, "DELETE");
            int code = c.getResponseCode();
            drain(c);
            if (code == 404) {
                return false;
            }
            expect(c, "DELETE", url, 200, 204);
            return true;
        });
    }

    /**
     * Renames the file at {@code from} to the path {@code toPath} on the same volume (WebDAV
     * MOVE: one rename(2) on the volume, so a reader sees either name, never both or neither).
     *
     * @return false if there was no file at {@code from}
     */
    public boolean move(String from, String toPath) throws IOException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(from))
                .timeout(Duration.ofMillis(readMillis))
                .method("MOVE", HttpRequest.BodyPublishers.noBody())
                .header("Destination", toPath)
                .header("Overwrite", "T");
        secret.ifPresent(s -> builder.header(ClusterSecret.HEADER, s.reveal()));
        HttpRequest request = builder.build();
        HttpResponse<Void> response;
        try {
            response = dav.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: MOVE " + from, e);
        }
        int code = response.statusCode();
        if (code == 404) {
            return false;
        }
        if (code != 201 && code != 204) {
            throw new Refused("MOVE " + from + " to " + toPath + " answered " + code + (code == 403 ? FORBIDDEN_HINT : ""), code, false);
        }
        return true;
    }

    /** A GET of {@code url} that answered 200, or null if it answered 404; any other answer throws. */
    private HttpURLConnection get(String url) throws IOException {
        HttpURLConnection c = open(url, "GET");
        if (c.getResponseCode() == 404) {
            drain(c);
            return null;
        }
        expect(c, "GET", url, 200);
        return c;
    }

    private HttpURLConnection open(String url, String method) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection(Proxy.NO_PROXY);
        c.setRequestMethod(method);
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        c.setConnectTimeout(connectMillis);
        c.setReadTimeout(readMillis);
        secret.ifPresent(s -> c.setRequestProperty(ClusterSecret.HEADER, s.reveal()));
        return c;
    }

    private static void expect(HttpURLConnection c, String method, String url, int... ok) throws IOException {
        int code = c.getResponseCode();
        for (int status : ok) {
            if (code == status) {
                return;
            }
        }
        drain(c);
        if (code == 403 && "link".equals(c.getHeaderField(LINK_REFUSAL_HEADER))) {
            throw new Refused(method + " " + url + " answered 403: it is a symbolic link, which volumes do not serve",
                    code, true);
        }
        throw new Refused(method + " " + url + " answered " + code + (code == 403 ? FORBIDDEN_HINT : ""), code, false);
    }

    /** A volume answered, with a status that was not expected. */
    public static final class Refused extends IOException {
        private final int status;
        private final boolean link;

        Refused(String message, int status, boolean link) {
            super(message);
            this.status = status;
            this.link = link;
        }

        public int status() {
            return status;
        }

        /** True when the volume refused because the name is a symbolic link (see volume.conf): not a replica. */
        public boolean link() {
            return link;
        }
    }

    /** Reads what is left of an answer so that its connection goes back to the keep-alive pool. */
    private static void drain(HttpURLConnection c) throws IOException {
        InputStream body = c.getResponseCode() >= 400 ? c.getErrorStream() : c.getInputStream();
        if (body != null) {
            try (body) {
                body.transferTo(OutputStream.nullOutputStream());
            }
        }
    }

    @FunctionalInterface
    private interface Request<T> {
        T send() throws IOException;
    }

    /** Repeats a request that may safely be repeated, after a short pause, if the exchange failed. */
    private static <T> T retried(Request<T> request) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return request.send();
            } catch (IOException e) {
                if (attempt == ATTEMPTS || e instanceof Refused r && r.status() < 500) {
                    throw e;
                }
                try {
                    Thread.sleep(100L * attempt * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
