package minikv.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import minikv.http.Answer;
import minikv.http.ClusterHttp;
import minikv.http.Exchange;
import minikv.http.HeldBack;
import minikv.http.OutcomeUnknown;
import minikv.placement.Placement;

/**
 * What the tools ask of volume servers (nginx): listings, HEAD, reads through md5, streamed
 * copies from one volume to another, DELETE and MOVE, all through the one {@link ClusterHttp}
 * client (which sends the cluster secret). Values stream through one fixed buffer. Reads that
 * may safely be repeated are retried a few times, so that one dropped keep-alive connection does
 * not count as a damaged replica.
 *
 * <p>Its methods take URLs ({@code http://host:port/path}), as the tools name replicas.
 */
public final class VolumeClient {

    private static final int BUFFER_BYTES = 64 * 1024;
    private static final int ATTEMPTS = 3;
    /** Set by volume.conf on its refusal to serve a symbolic link. */
    static final String LINK_REFUSAL_HEADER = "Minikv-Refusal";
    private static final String FORBIDDEN_HINT = " (a volume started with --secret-file needs the same --secret-file here;"
            + " or --allow does not list this host)";
    private static final byte[] NO_BODY = {};
    private static final String SCHEME = "http://";

    private final ClusterHttp http;
    private final Duration read;

    /**
     * @param http the client, with the cluster secret if volumes need it
     * @param read how long a volume may take to answer, or to send the next bytes
     */
    public VolumeClient(ClusterHttp http, Duration read) {
        this.http = http;
        this.read = read;
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
            try (Answer answer = get(url)) {
                return answer == null ? null : Autoindex.parse(answer.body());
            }
        });
    }

    /** The length of the file at {@code url}, or -1 if there is none. */
    public long size(String url) throws IOException {
        return retried(() -> {
            try (Answer answer = ask("HEAD", url)) {
                return sizeOf(answer, url);
            }
        });
    }

    static long sizeOf(Answer answer, String url) throws IOException {
        if (answer.status() == 404) {
            return -1L;
        }
        expect(answer, "HEAD", url, 200);
        return answer.contentLength();
    }

    /** Sends a request without a body to the file at {@code url}, for {@link VolumeFanOut} to collect. */
    Exchange send(String method, String url) throws IOException {
        return http.send(hostOf(url), method, pathOf(url), NO_BODY, read);
    }

    /** When the file at {@code url} was last written (epoch ms, from its Last-Modified), or 0 if there is none. */
    public long lastModified(String url) throws IOException {
        return retried(() -> {
            try (Answer answer = ask("HEAD", url)) {
                if (answer.status() == 404) {
                    return 0L;
                }
                expect(answer, "HEAD", url, 200);
                String header = answer.header("Last-Modified");
                try {
                    return header == null ? 0L : java.time.ZonedDateTime.parse(header,
                            java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
                } catch (java.time.format.DateTimeParseException e) {
                    return 0L;
                }
            }
        });
    }

    /** The bytes of the small file at {@code url}; null if there is none. @throws IOException if it has over {@code maxBytes} */
    public byte[] bytes(String url, int maxBytes) throws IOException {
        return retried(() -> {
            try (Answer answer = get(url)) {
                if (answer == null) {
                    return null;
                }
                byte[] bytes = answer.body().readNBytes(maxBytes + 1);
                if (bytes.length > maxBytes) {
                    throw new IOException(url + " holds over " + maxBytes + " bytes");
                }
                return bytes;
            }
        });
    }

    /** Reads the whole file at {@code url} through md5; null if there is none. */
    public Content read(String url) throws IOException {
        return retried(() -> {
            try (Answer answer = get(url)) {
                return answer == null ? null : digest(answer);
            }
        });
    }

    static Content digest(Answer answer) throws IOException {
        MessageDigest md5 = Placement.md5Digest();
        long size = 0;
        long length = answer.contentLength();
        // Sized to a small file: a 64 KiB buffer zeroed for each 100-byte replica was most of a verify's allocation.
        byte[] buffer = new byte[(int) Math.max(1, length < 0 ? BUFFER_BYTES : Math.min(BUFFER_BYTES, length))];
        InputStream in = answer.body();
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            md5.update(buffer, 0, n);
            size += n;
        }
        return new Content(size, md5.digest());
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
        try (Answer get = get(from)) {
            if (get == null) {
                return null;
            }
            long length = get.contentLength();
            if (length < 0) {
                throw new IOException("GET " + from + " sent no Content-Length");
            }
            if (length == 0) {
                // Nothing to hold back: a PUT of no bytes is complete as soon as it is sent.
                Content empty = new Content(0, Placement.md5(NO_BODY));
                if (expectedMd5 == null || empty.hasMd5(expectedMd5)) {
                    finishPut(http.send(hostOf(to), "PUT", pathOf(to), NO_BODY, read), to);
                }
                return empty;
            }
            InputStream in = get.body();
            byte[] buffer = new byte[BUFFER_BYTES];
            int first = HeldBack.fill(in, buffer, 0);
            if (first < 0) {
                throw new IOException("GET " + from + " ended before its first byte");
            }
            MessageDigest md5 = Placement.md5Digest();
            HeldBack<IOException> body = new HeldBack<>(buffer, first, false, (b, offset, n) -> {
                md5.update(b, offset, n);
                return HeldBack.Digest.DONE;
            }, (b, offset) -> HeldBack.fill(in, b, offset));
            Exchange put = http.stream(hostOf(to), "PUT", pathOf(to), length, read);
            Content content;
            try {
                long copied = body.sendAllButLast(put.body()::write);
                if (copied != length) {
                    throw new IOException("GET " + from + " ended after " + copied + " of " + length + " bytes");
                }
                content = new Content(length, md5.digest());
                if (expectedMd5 != null && !content.hasMd5(expectedMd5)) {
                    put.close(); // the body stays incomplete: nginx discards it
                    return content;
                }
                body.sendLast(put.body()::write);
            } catch (IOException | RuntimeException e) {
                put.close();
                throw e;
            }
            finishPut(put, to);
            return content;
        }
    }

    /**
     * Waits for a PUT's answer. One that never came leaves its outcome unknown: the copy must be
     * neither retried elsewhere nor undone as if it had failed (a DELETE could reach the disk
     * first); a copy that lands later is a stray of the right value, which verify finds.
     */
    private void finishPut(Exchange put, String to) throws IOException {
        try (Answer answer = put.answer()) {
            expect(answer, "PUT", to, 201, 204);
        } catch (OutcomeUnknown e) {
            put.close(); // nothing here watches for the volume to be done with it
            throw e;
        }
    }

    /** Deletes the file at {@code url}; false if there was none. */
    public boolean delete(String url) throws IOException {
        return retried(() -> {
            try (Answer answer = ask("DELETE", url)) {
                if (answer.status() == 404) {
                    return false;
                }
                expect(answer, "DELETE", url, 200, 204);
                return true;
            }
        });
    }

    /**
     * Renames the file at {@code from} to the path {@code toPath} on the same volume (WebDAV
     * MOVE: one rename(2) on the volume, so a reader sees either name, never both or neither).
     *
     * @return false if there was no file at {@code from}
     */
    public boolean move(String from, String toPath) throws IOException {
        return move(from, toPath, true);
    }

    /** As {@link #move}, but leaves both files as they are if there is one at {@code toPath} already (false then too). */
    public boolean moveUnlessTaken(String from, String toPath) throws IOException {
        return move(from, toPath, false);
    }

    private boolean move(String from, String toPath, boolean overwrite) throws IOException {
        try (Answer answer = ask("MOVE", from, "Destination", toPath, "Overwrite", overwrite ? "T" : "F")) {
            if (answer.status() == 404 || (!overwrite && answer.status() == 412)) {
                return false;
            }
            expect(answer, "MOVE", from + " to " + toPath, 201, 204);
            return true;
        }
    }

    /** A GET of {@code url} that answered 200, or null if it answered 404; any other answer throws. */
    private Answer get(String url) throws IOException {
        Answer answer = ask("GET", url);
        try {
            if (answer.status() == 404) {
                answer.close();
                return null;
            }
            expect(answer, "GET", url, 200);
            return answer;
        } catch (IOException | RuntimeException e) {
            answer.close();
            throw e;
        }
    }

    private Answer ask(String method, String url, String... headers) throws IOException {
        return http.ask(hostOf(url), method, pathOf(url), read, headers);
    }

    /** {@code host:port} of {@code http://host:port/path}. */
    private static String hostOf(String url) {
        int slash = url.indexOf('/', SCHEME.length());
        if (!url.startsWith(SCHEME) || slash < 0) {
            throw new IllegalArgumentException("not an http://host:port/path URL: " + url);
        }
        return url.substring(SCHEME.length(), slash);
    }

    private static String pathOf(String url) {
        return url.substring(url.indexOf('/', SCHEME.length()));
    }

    static void expect(Answer answer, String method, String url, int... ok) throws IOException {
        int code = answer.status();
        for (int status : ok) {
            if (code == status) {
                return;
            }
        }
        if (code == 403 && "link".equals(answer.header(LINK_REFUSAL_HEADER))) {
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

    @FunctionalInterface
    interface Request<T> {
        T send() throws IOException;
    }

    /**
     * Repeats a request that may safely be repeated, after a short pause, if the exchange failed.
     * Not one whose outcome is unknown: the volume may still act on it.
     */
    private static <T> T retried(Request<T> request) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return request.send();
            } catch (IOException e) {
                if (attempt == ATTEMPTS || e instanceof OutcomeUnknown || e instanceof Refused r && r.status() < 500) {
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
