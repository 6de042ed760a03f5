package minikv.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import minikv.store.Record.State;
import minikv.testing.Await;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import minikv.testing.Postgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract, on the PostgreSQL store against a real server of the machine's own PostgreSQL;
 * and what is its own: several processes (here: stores) sharing one database, the schema
 * version and its migration, and a database that cannot be reached.
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

    private String url() throws IOException {
        return Files.readString(dir.resolve(URL_FILE)).strip();
    }

    @Test
    void aDatabaseOfANewerSchemaIsRefusedWithTheReason() throws Exception {
        try (IndexStore store = open(dir)) {
            store.put(b("/k"), Record.pending(AT));
        }
        try (Connection c = DriverManager.getConnection("jdbc:" + url()); Statement s = c.createStatement()) {
            s.execute("UPDATE minikv_schema SET version = " + (PostgresSchema.VERSION + 1));
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> open(dir));
        assertTrue(e.getMessage().contains("from a newer minikv"), e.getMessage());
    }

    @Test
    void processesSharingTheDatabaseSeeEachOthersRecordsAndCounts() {
        try (IndexStore first = open(dir); IndexStore second = open(dir)) {
            first.put(b("/k1"), Record.live(AT, null));
            second.put(b("/k2"), Record.live(AT, null));
            assertEquals(Record.live(AT, null), second.get(b("/k1")));
            assertEquals(Record.live(AT, null), first.get(b("/k2")));
            assertTrue(Await.until(() -> first.keyCounts().of(State.LIVE) == 2 && second.keyCounts().of(State.LIVE) == 2,
                    Duration.ofSeconds(5)), "each counts the other's key within a renewal");
        }
        try (IndexStore again = open(dir)) {
            assertEquals(2, again.keyCounts().of(State.LIVE), "counts of processes that stopped are kept");
        }
    }

    @Test
    void anUnsettledRecordIsItsWritersUntilTheWriterStops() {
        Record pending = Record.pending(AT);
        try (IndexStore other = open(dir)) {
            IndexStore writer = open(dir);
            assertTrue(writer.compareAndSetUnsynced(b("/p"), null, pending));
            assertFalse(other.compareAndSet(b("/p"), pending, Record.live(AT, null)), "the writer's");
            assertFalse(other.adopt(b("/p"), pending), "its writer is running");
            assertEquals(List.of(), other.unsettled());
            assertEquals(List.of(), other.orphans());
            writer.close(); // gives its lease up
            assertEquals(List.of("/p"), other.orphans().stream().map(e -> new String(e.key(), StandardCharsets.UTF_8)).toList());
            assertTrue(other.adopt(b("/p"), pending));
            assertEquals(List.of(), other.orphans(), "adopted: its own now");
            assertTrue(other.compareAndSet(b("/p"), pending, null));
        }
    }

    @Test
    void aWriterWhoseRecordWasAdoptedCannotChangeItAnyMore() throws Exception {
        Record pending = Record.pending(AT);
        try (IndexStore writer = open(dir); IndexStore adopter = open(dir)) {
            assertTrue(writer.compareAndSetUnsynced(b("/f"), null, pending));
            try (Connection c = DriverManager.getConnection("jdbc:" + url()); Statement s = c.createStatement()) {
                // As if the writer had been paused for longer than its lease.
                s.execute("UPDATE minikv_processes SET expires = now() - INTERVAL '1 second' WHERE id <> "
                        + ((PostgresStore) adopter).processId());
            }
            assertTrue(adopter.adopt(b("/f"), pending));
            assertFalse(writer.compareAndSet(b("/f"), pending, Record.live(AT, null)), "fenced off by the adoption");
            assertEquals(pending, writer.get(b("/f")));
        }
    }

    @Test
    void ofTwoProcessesRacingForAKeyExactlyOneWins() throws Exception {
        try (IndexStore a = open(dir); IndexStore b = open(dir)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                for (int round = 0; round < 20; round++) {
                    byte[] key = b("/race" + round);
                    List<Future<Boolean>> tries = new ArrayList<>();
                    for (int i = 0; i < 8; i++) {
                        IndexStore store = i % 2 == 0 ? a : b;
                        Record mine = Record.pending(List.of("v" + i + ":1/sv00"));
                        tries.add(pool.submit(() -> store.compareAndSetUnsynced(key, null, mine)));
                    }
                    int won = 0;
                    for (Future<Boolean> t : tries) {
                        won += t.get() ? 1 : 0;
                    }
                    assertEquals(1, won, "round " + round);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aVersion2DatabaseIsMigratedWithItsCountsKept() throws Exception {
        try (IndexStore store = open(dir)) {
            store.put(b("/v2a"), Record.live(AT, null));
            store.put(b("/v2b"), Record.live(AT, null));
        }
        try (Connection c = DriverManager.getConnection("jdbc:" + url()); Statement s = c.createStatement()) {
            s.execute("UPDATE minikv_schema SET version = 2");
        }
        try (IndexStore store = open(dir)) {
            assertEquals(2, store.keyCounts().of(State.LIVE), "counted once, not again by the migration");
            Record replacing = Record.live(AT, null).withNext(Record.live(AT, null), false);
            assertTrue(store.compareAndSet(b("/v2a"), Record.live(AT, null), replacing));
            assertEquals(List.of("/v2a"), store.unsettled().stream().map(e -> new String(e.key(), StandardCharsets.UTF_8))
                    .toList(), "a replace under way is unsettled");
        }
    }

    @Test
    void aVersion1DatabaseIsMigratedWithItsRecordsAndCounts() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:" + url()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE minikv_schema (version INT NOT NULL)");
            s.execute("INSERT INTO minikv_schema VALUES (1)");
            s.execute("CREATE TABLE minikv_records (key BYTEA PRIMARY KEY, state SMALLINT NOT NULL, record BYTEA NOT NULL)");
            try (PreparedStatement p = c.prepareStatement("INSERT INTO minikv_records VALUES (?, ?, ?)")) {
                for (String key : List.of("/v1a", "/v1b")) {
                    p.setBytes(1, b(key));
                    p.setShort(2, PostgresStore.code(State.LIVE));
                    p.setBytes(3, Record.live(AT, null).encode());
                    p.executeUpdate();
                }
                p.setBytes(1, b("/v1p"));
                p.setShort(2, PostgresStore.code(State.PENDING));
                p.setBytes(3, Record.pending(AT).encode());
                p.executeUpdate();
            }
        }
        try (IndexStore store = open(dir)) {
            assertEquals(2, store.keyCounts().of(State.LIVE));
            assertEquals(1, store.keyCounts().of(State.PENDING));
            assertEquals(Record.live(AT, null), store.get(b("/v1a")));
            assertEquals(1, store.orphans().size(), "a version-1 PENDING record has no running owner");
        }
        try (Connection c = DriverManager.getConnection("jdbc:" + url()); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT version FROM minikv_schema")) {
            assertTrue(r.next());
            assertEquals(PostgresSchema.VERSION, r.getInt(1));
            assertFalse(r.next(), "one version row");
        }
    }

    @Test
    void aServerThatIsNotThereIsAReadableErrorNamingTheDatabase() {
        String url = "postgresql://127.0.0.1:1/nothing?user=minikv&connectTimeout=2";
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PostgresStore.open(url));
        assertTrue(e.getMessage().startsWith("cannot open index database postgresql://127.0.0.1:1/nothing: "), e.getMessage());
    }
}
