package minikv.cluster;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * nginx's JSON directory listing ({@code autoindex_format json}): an array of
 * {@code {"name": ..., "type": "file"|"directory"|"other", "mtime": ..., "size": N}}, size for
 * files only. nginx leaves out names that start with a dot (the volume's runtime files).
 */
public final class Autoindex {

    private static final JsonFactory JSON = new JsonFactory();

    /** One entry of a listing. {@code size} is -1 for anything but a file. */
    public record Entry(String name, Type type, long size) {
        public boolean isFile() {
            return type == Type.FILE;
        }

        public boolean isDirectory() {
            return type == Type.DIRECTORY;
        }
    }

    /** What an entry is; OTHER covers what nginx calls neither (sockets, devices, broken links). */
    public enum Type { FILE, DIRECTORY, OTHER }

    private Autoindex() {
    }

    /**
     * Parses a whole listing; fields other than name, type and size are skipped, so a later
     * nginx adding some does not break the tools.
     *
     * @throws IOException if it is not a JSON array of objects, or an entry has no name
     */
    public static List<Entry> parse(InputStream in) throws IOException {
        try (JsonParser json = JSON.createParser(in)) {
            if (json.nextToken() != JsonToken.START_ARRAY) {
                throw new IOException("a directory listing must be a JSON array");
            }
            List<Entry> entries = new ArrayList<>();
            for (JsonToken t = json.nextToken(); t != JsonToken.END_ARRAY; t = json.nextToken()) {
                if (t != JsonToken.START_OBJECT) {
                    throw new IOException("a directory listing entry must be a JSON object, not " + t);
                }
                entries.add(entry(json));
            }
            return entries;
        }
    }

    private static Entry entry(JsonParser json) throws IOException {
        String name = null;
        Type type = Type.OTHER;
        long size = -1;
        for (JsonToken t = json.nextToken(); t != JsonToken.END_OBJECT; t = json.nextToken()) {
            String field = json.currentName();
            JsonToken value = json.nextToken();
            switch (field) {
                case "name" -> name = json.getText();
                case "type" -> type = switch (json.getText()) {
                    case "file" -> Type.FILE;
                    case "directory" -> Type.DIRECTORY;
                    default -> Type.OTHER;
                };
                case "size" -> size = json.getValueAsLong(-1);
                default -> {
                    if (value.isStructStart()) {
                        json.skipChildren();
                    }
                }
            }
        }
        if (name == null || name.isEmpty()) {
            throw new IOException("a directory listing entry has no name");
        }
        return new Entry(name, type, type == Type.FILE ? size : -1);
    }
}
