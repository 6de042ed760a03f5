package minikv.testing;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;

/** Plain HTTP/1.1 requests for tests; redirects are not followed, so a test sees them. */
public final class Http {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private Http() {
    }

    /** @param headers name, value, name, value... */
    public static HttpResponse<byte[]> get(String url, String... headers) {
        return send("GET", url, BodyPublishers.noBody(), headers);
    }

    /** A GET that gives up after {@code timeout}, as a careful client does with a server that hangs. */
    public static HttpResponse<byte[]> get(String url, Duration timeout) {
        return send("GET", url, BodyPublishers.noBody(), timeout);
    }

    public static HttpResponse<byte[]> put(String url, byte[] body) {
        return send("PUT", url, BodyPublishers.ofByteArray(body));
    }

    /** @param headers name, value, name, value... */
    public static HttpResponse<byte[]> put(String url, byte[] body, String... headers) {
        return send("PUT", url, BodyPublishers.ofByteArray(body), headers);
    }

    /** Streams the file: large bodies are not held in memory. */
    public static HttpResponse<byte[]> put(String url, Path file) {
        try {
            return send("PUT", url, BodyPublishers.ofFile(file));
        } catch (FileNotFoundException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static HttpResponse<byte[]> delete(String url) {
        return send("DELETE", url, BodyPublishers.noBody());
    }

    /** Any method without a body: HEAD, MOVE, COPY... */
    public static HttpResponse<byte[]> send(String method, String url, String... headers) {
        return send(method, url, BodyPublishers.noBody(), headers);
    }

    private static HttpResponse<byte[]> send(String method, String url, BodyPublisher body, String... headers) {
        return send(method, url, body, TIMEOUT, headers);
    }

    private static HttpResponse<byte[]> send(String method, String url, BodyPublisher body, Duration timeout,
            String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).method(method, body);
        if (headers.length > 0) {
            request.headers(headers);
        }
        try {
            return CLIENT.send(request.build(), BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + method + " " + url, e);
        }
    }
}
