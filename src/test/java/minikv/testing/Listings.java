package minikv.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/** The keys the index lists, as a client reads them from {@code GET /prefix?list} or {@code ?unlinked}. */
public final class Listings {

    private Listings() {
    }

    /** Live keys starting with {@code prefix}. */
    public static List<String> live(Cluster cluster, String prefix) {
        return keys(cluster, prefix + "?list");
    }

    /** Unlinked keys starting with {@code prefix}. */
    public static List<String> unlinked(Cluster cluster, String prefix) {
        return keys(cluster, prefix + "?unlinked");
    }

    private static List<String> keys(Cluster cluster, String pathAndQuery) {
        HttpResponse<byte[]> list = Http.get(cluster.url(pathAndQuery));
        assertEquals(200, list.statusCode(), pathAndQuery);
        List<String> keys = new ArrayList<>();
        try (JsonParser json = new JsonFactory().createParser(list.body())) {
            for (JsonToken token = json.nextToken(); token != JsonToken.START_ARRAY; token = json.nextToken()) {
                assertNotNull(token, "no key list in the answer to " + pathAndQuery);
            }
            while (json.nextToken() == JsonToken.VALUE_STRING) {
                keys.add(json.getText());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }
}
