package minikv.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import minikv.store.IndexStore;
import minikv.store.PostgresStore;
import minikv.store.Record;

/** Opening the index's database from a tool, with errors that say what to do. */
final class Databases {

    private Databases() {
    }

    /** A tool's error for the operator: printed as is, exit status 1. */
    static final class ToolFailure extends RuntimeException {
        ToolFailure(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Opens an index database that must already exist: a directory, or a postgresql:// URL.
     *
     * @throws ToolFailure if there is none there, or a running index holds it
     */
    static IndexStore openExisting(String where) {
        if (PostgresStore.names(where)) {
            return openDatabase(where);
        }
        return openExisting(Path.of(where));
    }

    /**
     * Opens a store to be filled: a new or empty directory, or a database with no minikv keys.
     *
     * @throws ToolFailure if it already holds an index
     */
    static IndexStore openEmpty(String where) {
        if (!PostgresStore.names(where)) {
            Path dir = Path.of(where);
            if (!isEmptyOrMissing(dir)) {
                throw new ToolFailure("refusing to write into " + dir + ": it is not empty (give a new directory)");
            }
            return IndexStore.open(dir);
        }
        IndexStore store = openDatabase(where);
        long keys = 0;
        for (Record.State state : Record.State.values()) {
            keys += store.keyCounts().of(state);
        }
        if (keys > 0) {
            store.close();
            throw new ToolFailure("refusing to write into " + where + ": it already holds " + keys + " keys");
        }
        return store;
    }

    /**
     * A tool works on the database alone, as with a Xodus directory's lock: while an index
     * process runs on it, a repair could race that process's writes of the same key.
     */
    private static IndexStore openDatabase(String url) {
        PostgresStore store;
        try {
            store = PostgresStore.open(url);
        } catch (IllegalStateException e) {
            throw new ToolFailure(e.getMessage());
        }
        long running = store.otherProcessesRunning();
        if (running > 0) {
            store.close();
            throw new ToolFailure(running + " other minikv process(es) are running on " + url + "; use --index"
                    + " http://HOST:PORT to work through an index, or stop them first (one that was killed holds its"
                    + " lease for up to 10 s)");
        }
        return store;
    }

    /**
     * Opens an index database directory that must already exist.
     *
     * @throws ToolFailure if there is none at {@code dir}, or a running index holds it
     */
    private static IndexStore openExisting(Path dir) {
        if (isEmptyOrMissing(dir) || !holdsXodusLog(dir)) {
            throw new ToolFailure("no index database at " + dir);
        }
        try {
            return IndexStore.open(dir);
        } catch (IllegalStateException e) {
            if (mentionsLock(e)) {
                throw new ToolFailure("the index is running on " + dir + " (its database is locked);"
                        + " use --index http://HOST:PORT to work through it, or stop it first");
            }
            throw new ToolFailure(e.getMessage());
        }
    }

    static boolean isEmptyOrMissing(Path dir) {
        if (!Files.exists(dir)) {
            return true;
        }
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new ToolFailure("cannot read " + dir + ": " + e.getMessage());
        }
    }

    /** An index database is a Xodus log: files named like 00000000000.xd. */
    private static boolean holdsXodusLog(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.anyMatch(p -> p.getFileName().toString().endsWith(".xd"));
        } catch (IOException e) {
            throw new ToolFailure("cannot read " + dir + ": " + e.getMessage());
        }
    }

    private static boolean mentionsLock(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().toLowerCase().contains("lock")) {
                return true;
            }
        }
        return false;
    }
}
