package minikv.tools;

import static minikv.tools.ToolsTesting.args;
import static minikv.tools.ToolsTesting.assertReadable;
import static minikv.tools.ToolsTesting.populate;
import static minikv.tools.ToolsTesting.tool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import minikv.testing.Cluster;
import minikv.testing.Postgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * migrate, directory to PostgreSQL and back, with the index on each copy and verify --db URL;
 * rebuild --db URL from the volumes alone.
 */
class MigrateIT {

    @RegisterExtension
    static final Postgres postgres = new Postgres();

    @Test
    void anIndexMovesToPostgresAndBackWithEveryKeyAndState(@TempDir Path dir) {
        String url = postgres.newDatabase();
        try (Cluster cluster = Cluster.start(dir, 3, "--replicas", "2")) {
            ToolsTesting.Model model = populate(cluster, 60, 7);
            assertEquals(0, cluster.stopIndex());

            ToolsTesting.Run toPostgres = tool(List.of("migrate", "--from", cluster.db().toString(), "--to", url));
            assertEquals(0, toPostgres.exit(), toPostgres.output());
            int keys = model.all().size();
            assertTrue(toPostgres.output().contains("migrate: " + keys + " keys ("), toPostgres.output());
            assertTrue(toPostgres.output().contains(model.unlinked.size() + " unlinked"), toPostgres.output());

            ToolsTesting.Run again = tool(List.of("migrate", "--from", cluster.db().toString(), "--to", url));
            assertEquals(1, again.exit());
            assertTrue(again.output().contains("refusing to write into " + url + ": it already holds " + keys + " keys"),
                    again.output());

            cluster.startIndexOn(url);
            assertReadable(cluster, model);
            ToolsTesting.Run beside = tool(args("verify", cluster.volumes(), "--db", url));
            assertEquals(1, beside.exit(), beside.output());
            assertTrue(beside.output().contains("1 other minikv process(es) are running on " + url), beside.output());
            assertEquals(0, cluster.stopIndex());
            ToolsTesting.Run verify = tool(args("verify", cluster.volumes(), "--db", url));
            assertEquals(0, verify.exit(), verify.output());

            Path back = dir.resolve("back");
            ToolsTesting.Run toDirectory = tool(List.of("migrate", "--from", url, "--to", back.toString()));
            assertEquals(0, toDirectory.exit(), toDirectory.output());
            cluster.startIndexOn(back.toString());
            assertReadable(cluster, model);
        }
    }

    @Test
    void rebuildWritesIntoPostgresOnlyOnceEveryVolumeWasRead(@TempDir Path dir) {
        String url = postgres.newDatabase();
        try (Cluster cluster = Cluster.start(dir, 3, "--replicas", "2")) {
            ToolsTesting.Model model = populate(cluster, 40, 5);
            assertEquals(0, cluster.stopIndex());

            ToolsTesting.Run rebuild = tool(args("rebuild", cluster.volumes(), "--db", url));
            assertEquals(0, rebuild.exit(), rebuild.output());
            int keys = model.all().size();
            assertTrue(rebuild.output().contains("rebuild: " + keys + " keys (" + (keys - model.unlinked.size()) + " live, "
                    + model.unlinked.size() + " unlinked)"), rebuild.output());
            ToolsTesting.Run verify = tool(args("verify", cluster.volumes(), "--db", url));
            assertEquals(0, verify.exit(), verify.output());
            cluster.startIndexOn(url);
            assertReadable(cluster, model);
            assertEquals(0, cluster.stopIndex());

            ToolsTesting.Run again = tool(args("rebuild", cluster.volumes(), "--db", url));
            assertEquals(1, again.exit(), again.output());
            assertTrue(again.output().contains("refusing to write into " + url + ": it already holds " + keys + " keys"),
                    again.output());
        }
    }
}
