package minikv.tools;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import minikv.cluster.KeyFiles;
import minikv.cluster.KeyReport;
import minikv.cluster.ReplicaFile;
import minikv.http.Answer;
import minikv.http.ClusterHttp;
import minikv.placement.Placement;
import minikv.store.Record;

/**
 * The running index, for the tools' online mode. Keys come from its listings
 * ({@code GET /?list&start=K&limit=N}, {@code ?unlinked}); the work on each key is asked of the
 * index ({@code REBALANCE}, {@code VERIFY}, {@code REPAIR} on the key; see the index's
 * ToolHandler), which does it under the key's claim so that clients' writes stay safe. A key
 * some client is changing right now (409) is asked again a little later.
 */
final class IndexTarget implements Target {

    private static final int PAGE = 1000;
    private static final int BUSY_ATTEMPTS = 20;
    private static final JsonFactory JSON = new JsonFactory();
    /** A key's work can copy a whole value between volumes. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofMinutes(10);
    private static final int MAX_ERROR_BYTES = 4096;

    private final String host;
    private final String base;
    /** The index needs no secret: it is the volumes that check it. */
    private final ClusterHttp http = new ClusterHttp(Duration.ofSeconds(10), Optional.empty(), 64);

    IndexTarget(URI index) {
        this.host = index.getHost() + ":" + (index.getPort() < 0 ? 80 : index.getPort());
        String path = index.getRawPath() == null ? "" : index.getRawPath();
        this.base = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    @Override
    public void keys(Record.State state, byte[] after, KeyVisitor visitor) throws IOException, InterruptedException {
        // A listing starts at its start key, which the walk must skip: it was done before.
        String done = after == null ? null : new String(after, StandardCharsets.UTF_8);
        String start = done == null ? "" : done;
        do {
            Page page = list(state, start, PAGE);
            for (String key : page.keys) {
                if (!key.equals(done)) {
                    visitor.visit(key.getBytes(StandardCharsets.UTF_8), null);
                }
            }
            start = page.next;
        } while (!start.isEmpty());
    }

    record Page(String next, List<String> keys) {}

    private Page list(Record.State state, String start, int limit) throws IOException {
        String query = (state == Record.State.UNLINKED ? "unlinked" : "list") + "&limit=" + limit
                + (start.isEmpty() ? "" : "&start=" + encode(start.getBytes(StandardCharsets.UTF_8), false));
        try (Answer answer = ask("GET", "/?" + query)) {
            if (answer.status() != 200) {
                throw new IOException("GET http://" + host + base + "/?" + query + " answered " + answer.status()
                        + ": " + answer.text(MAX_ERROR_BYTES).trim());
            }
            return parsePage(answer.body());
        }
    }

    /** {@code {"next": "...", "keys": ["...", ...]}}, fields in any order. */
    static Page parsePage(InputStream body) throws IOException {
        String next = "";
        List<String> keys = new ArrayList<>();
        try (JsonParser json = JSON.createParser(body)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a listing must be a JSON object");
            }
            for (JsonToken t = json.nextToken(); t == JsonToken.FIELD_NAME; t = json.nextToken()) {
                String field = json.currentName();
                JsonToken value = json.nextToken();
                if (field.equals("next")) {
                    next = json.getValueAsString("");
                } else if (field.equals("keys") && value == JsonToken.START_ARRAY) {
                    for (JsonToken k = json.nextToken(); k != JsonToken.END_ARRAY; k = json.nextToken()) {
                        keys.add(json.getText());
                    }
                } else {
                    json.skipChildren();
                }
            }
        }
        return new Page(next == null ? "" : next, keys);
    }

    @Override
    public long count() {
        return -1;
    }

    @Override
    public KeyReport rebalance(byte[] key, boolean dryRun) {
        return ask("REBALANCE", key, dryRun ? "dry-run" : "");
    }

    @Override
    public KeyReport verify(byte[] key, Record walked, boolean fast) {
        return ask("VERIFY", key, fast ? "fast" : "");
    }

    @Override
    public KeyReport repair(byte[] key, boolean fast) {
        return ask("REPAIR", key, fast ? "fast" : "");
    }

    /**
     * A live key's locations come with a HEAD ({@code Key-Volumes}); a key the index does not
     * serve may still be unlinked, which its listing tells.
     */
    @Override
    public Strays strays(byte[] key, List<ReplicaFile> files) throws IOException {
        try (Answer head = ask("HEAD", encode(key, true))) {
            String volumes = head.header("Key-Volumes");
            if (head.status() == 302 && volumes != null) {
                Record live = Record.live(Arrays.asList(volumes.split(",")), null);
                return new Strays(KeyFiles.strays(live, files), true);
            }
        }
        String text = new String(key, StandardCharsets.UTF_8);
        boolean unlinked = list(Record.State.UNLINKED, text, 1).keys.contains(text);
        return new Strays(files, !unlinked);
    }

    @Override
    public KeyReport removeStrays(byte[] key, List<ReplicaFile> files, boolean fast) {
        StringBuilder query = new StringBuilder(fast ? "fast" : "");
        for (ReplicaFile f : files) {
            query.append(query.length() == 0 ? "" : "&").append(f.unlinked() ? "unlinked=" : "found=").append(f.location());
        }
        return ask("REPAIR", key, query.toString());
    }

    @Override
    public List<String> locations(byte[] key) throws IOException {
        try (Answer head = ask("HEAD", encode(key, true))) {
            String volumes = head.header("Key-Volumes");
            return head.status() == 302 && volumes != null ? Arrays.asList(volumes.split(",")) : List.of();
        }
    }

    @Override
    public boolean hasRecord(byte[] key) throws IOException {
        try (Answer head = ask("HEAD", encode(key, true))) {
            if (head.status() != 404) {
                return true; // live (302), or unknown (a 503 when its volumes are down)
            }
        }
        String text = new String(key, StandardCharsets.UTF_8);
        return list(Record.State.UNLINKED, text, 1).keys.contains(text);
    }

    @Override
    public KeyReport erase(byte[] key) {
        try (Answer answer = ask("DELETE", encode(key, true))) {
            return switch (answer.status()) {
                case 204 -> new KeyReport(KeyReport.Kind.REPAIRED, "deleted");
                case 404 -> new KeyReport(KeyReport.Kind.ABSENT, "");
                default -> KeyReport.failed("DELETE answered " + answer.status() + ": " + answer.text(MAX_ERROR_BYTES).trim());
            };
        } catch (IOException e) {
            return KeyReport.failed("DELETE failed: " + e.getMessage());
        }
    }

    @Override
    public List<byte[]> unsettled() {
        return List.of(); // the index settles its own at startup, and on the key's next write
    }

    @Override
    public Set<String> sampleVolumes() throws IOException {
        Set<String> volumes = new HashSet<>();
        for (String key : list(Record.State.LIVE, "", PAGE).keys) {
            try (Answer head = ask("HEAD", encode(key.getBytes(StandardCharsets.UTF_8), true))) {
                String locations = head.header("Key-Volumes");
                for (String location : locations == null ? new String[0] : locations.split(",")) {
                    volumes.add(Placement.volumeOf(location));
                }
            }
        }
        return volumes;
    }

    /** Sends {@code METHOD /key[?query]}; asks again while the key is busy (409). */
    private KeyReport ask(String method, byte[] key, String query) {
        String path = encode(key, true) + (query.isEmpty() ? "" : "?" + query);
        try {
            for (int attempt = 1; attempt <= BUSY_ATTEMPTS; attempt++) {
                try (Answer answer = ask(method, path)) {
                    switch (answer.status()) {
                        case 200 -> {
                            String report = answer.header(KeyReport.HEADER);
                            return report != null ? KeyReport.parse(report) : KeyReport.failed(
                                    "the index answered " + method + " without a report: is it a minikv index with the tools?");
                        }
                        case 404 -> {
                            return new KeyReport(KeyReport.Kind.ABSENT, "");
                        }
                        case 409 -> { } // asked again below
                        default -> {
                            return KeyReport.failed("the index answered " + answer.status() + " to " + method + ": "
                                    + answer.text(MAX_ERROR_BYTES).trim());
                        }
                    }
                }
                Thread.sleep(20L * attempt * attempt);
            }
            return KeyReport.failed("a client kept changing the key (409 " + BUSY_ATTEMPTS + " times); run again");
        } catch (IOException e) {
            return KeyReport.failed(method + " http://" + host + base + path + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return KeyReport.failed("interrupted");
        }
    }

    private Answer ask(String method, String pathAndQuery) throws IOException {
        return http.ask(host, method, base + pathAndQuery, ANSWER_TIMEOUT);
    }

    /**
     * Percent-encodes key bytes for a URL: everything but unreserved characters (and, in a path,
     * the slash). The index decodes both strictly, '+' included, so nothing is left ambiguous.
     */
    static String encode(byte[] key, boolean path) {
        StringBuilder out = new StringBuilder(key.length + 16);
        for (byte b : key) {
            int c = b & 0xff;
            boolean plain = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '.' || c == '_' || c == '~' || path && c == '/';
            if (plain) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        http.close();
    }
}
