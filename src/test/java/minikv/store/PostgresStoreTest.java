package minikv.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import minikv.testing.Postgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract, on the PostgreSQL store against a real server of the machine's own PostgreSQL;
 * and what is its own: the schema version and a database that cannot be reached.
 */
class PostgresStoreTest extends IndexStoreContract {

    /** Where each test's store lives: the URL of its own database, so that the crash child finds it too. */
    private static final String URL_FILE = "postgres.url";
    @RegisterExtension
    static final Postgres postgres = new Postgres();

    @BeforeEach
    void newDatabase() throws IOException {
        Files.writeString(dir.resolve(URL_FILE), postgres.newDatabase());
    }

    @Override
    IndexStore open(Path dir) {
        try {
            return PostgresStore.open(Files.readString(dir.resolve(URL_FILE)).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aDatabaseOfANewerSchemaIsRefusedWithTheReason() throws Exception {
        try (IndexStore store = open(dir)) {
            store.put(b("/k"), Record.pending(AT));
        }
        String url = Files.readString(dir.resolve(URL_FILE)).strip();
        try (var c = java.sql.DriverManager.getConnection("jdbc:" + url); var s = c.createStatement()) {
            s.execute("UPDATE minikv_schema SET version = " + (PostgresSchema.VERSION + 1));
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> open(dir));
        assertTrue(e.getMessage().contains("from a newer minikv"), e.getMessage());
    }

    @Test
    void oneProcessAtATimeAsWithTheXodusDirectoryLock() {
        try (IndexStore first = open(dir)) {
            first.put(b("/k"), Record.pending(AT));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> open(dir));
            assertTrue(e.getMessage().contains("another minikv index or tool has it open"), e.getMessage());
        }
        try (IndexStore second = open(dir)) {
            assertTrue(second.get(b("/k")) != null, "once the first closed, the next one opens it");
        }
    }

    @Test
    void aServerThatIsNotThereIsAReadableErrorNamingTheDatabase() {
        String url = "postgresql://127.0.0.1:1/nothing?user=minikv&connectTimeout=2";
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PostgresStore.open(url));
        assertTrue(e.getMessage().startsWith("cannot open index database postgresql://127.0.0.1:1/nothing: "), e.getMessage());
    }

    @Test
    void thePrefixBoundIsTheLeastKeyAfterEveryKeyWithThePrefix() {
        assertArrayEquals(b("/b"), PostgresStore.afterPrefix(b("/a")));
        assertArrayEquals(new byte[] {1}, PostgresStore.afterPrefix(new byte[] {0, (byte) 0xff}));
        assertNull(PostgresStore.afterPrefix(new byte[] {(byte) 0xff, (byte) 0xff}));
        assertNull(PostgresStore.afterPrefix(new byte[0]));
    }
}
