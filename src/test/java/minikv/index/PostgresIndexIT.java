package minikv.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import minikv.testing.Cluster;
import minikv.testing.Http;
import minikv.testing.Postgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The index on the PostgreSQL store (--db postgresql://...): the same API, and what it wrote survives a restart. */
class PostgresIndexIT {

    @RegisterExtension
    static final Postgres postgres = new Postgres();

    @Test
    void servesTheSameApiAndKeepsItsKeysAcrossARestart(@TempDir Path dir) {
        String url = postgres.newDatabase();
        byte[] value = "kept in postgres".getBytes(StandardCharsets.UTF_8);
        try (Cluster cluster = Cluster.startOn(url, dir, 3)) {
            assertEquals(201, Http.put(cluster.url("/pg/one"), value).statusCode());
            assertEquals(201, Http.put(cluster.url("/pg/two"), value).statusCode());
            assertEquals(403, Http.put(cluster.url("/pg/one"), value).statusCode(), "no overwrite");
            assertEquals(204, Http.send("UNLINK", cluster.url("/pg/two")).statusCode());
            assertArrayEquals(value, cluster.read("/pg/one"));

            assertEquals(0, cluster.stopIndex());
            cluster.startIndex();

            assertArrayEquals(value, cluster.read("/pg/one"));
            assertNull(cluster.read("/pg/two"), "still unlinked");
            String listing = new String(Http.get(cluster.url("/pg/?list")).body(), StandardCharsets.UTF_8);
            assertTrue(listing.contains("/pg/one") && !listing.contains("/pg/two"), listing);
            String unlinked = new String(Http.get(cluster.url("/?unlinked")).body(), StandardCharsets.UTF_8);
            assertTrue(unlinked.contains("/pg/two"), unlinked);
            assertEquals(204, Http.delete(cluster.url("/pg/one")).statusCode());
            assertNull(cluster.read("/pg/one"));
        }
    }
}
