package minikv.tools;

import static minikv.tools.ToolsTesting.args;
import static minikv.tools.ToolsTesting.assertOnPlacement;
import static minikv.tools.ToolsTesting.assertReadable;
import static minikv.tools.ToolsTesting.populate;
import static minikv.tools.ToolsTesting.tool;
import static minikv.tools.ToolsTesting.valueFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import minikv.testing.Cluster;
import minikv.testing.Http;
import minikv.testing.JarProcess;
import minikv.testing.VolumeProcess;
import minikv.tools.ToolsTesting.Model;
import minikv.tools.ToolsTesting.Run;
import minikv.tools.ToolsTesting.Writer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rebalance} against real volumes: 4 to 5 volumes and back, killed half-way, and online under writes. */
class RebalanceIT {

    @TempDir
    Path dir;

    @Test
    void fromFourVolumesToFiveAndBackEvenWhenKilledHalfWay() throws Exception {
        try (Cluster cluster = Cluster.start(dir, 4, "--replicas", "2")) {
            Model model = populate(cluster, 200, 2);
            List<VolumeProcess> four = List.copyOf(cluster.volumes());
            VolumeProcess fifth = cluster.addVolume();
            List<VolumeProcess> five = List.copyOf(cluster.volumes());
            cluster.stopIndex();
            String db = cluster.db().toString();

            Run dryRun = tool(args("rebalance", five, "--db", db, "--dry-run"));
            assertEquals(0, dryRun.exit(), dryRun.output());
            assertTrue(dryRun.output().contains("to move /") && dryRun.output().contains("copy to " + fifth.address()), dryRun.output());
            assertEquals(List.of(), valueFiles(fifth.dir()), "a dry run changes nothing");

            try (JarProcess killed = JarProcess.start(args("rebalance", five, "--db", db, "--parallel", "1").toArray(String[]::new))) {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (valueFiles(fifth.dir()).size() < 10 && killed.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertTrue(killed.isAlive(), "rebalance ended before it could be killed half-way:\n" + killed.output());
                killed.signal("KILL");
                killed.waitFor(Duration.ofSeconds(30));
            }
            Run rerun = tool(args("rebalance", five, "--db", db));
            assertEquals(0, rerun.exit(), rerun.output());
            assertOnPlacement(cluster, five, five, model);
            Run again = tool(args("rebalance", five, "--db", db));
            assertEquals(0, again.exit(), again.output());
            assertTrue(again.output().contains("rebalance: " + model.all().size() + " ok"), "idempotent: " + again.output());

            cluster.startIndex();
            assertReadable(cluster, model);
            String some = model.live.keySet().iterator().next();
            assertEquals("balanced", Http.send("HEAD", cluster.keyUrl(some)).headers().firstValue("Key-Balance").orElse(null));

            cluster.stopIndex();
            cluster.detachVolume(fifth);
            try (fifth) {
                Run back = tool(args("rebalance", four, "--db", db));
                assertEquals(0, back.exit(), back.output());
                assertOnPlacement(cluster, four, five, model);
                assertEquals(List.of(), valueFiles(fifth.dir()), "the removed volume is empty");
                cluster.startIndex();
                assertReadable(cluster, model);
            }
        }
    }

    @Test
    void onlineRebalanceAndRepairWhileAWriterKeepsPutting() throws Exception {
        try (Cluster cluster = Cluster.start(dir, 4, "--replicas", "2")) {
            Model model = populate(cluster, 200, 3);
            cluster.addVolume();
            List<VolumeProcess> five = List.copyOf(cluster.volumes());
            cluster.stopIndex();
            cluster.startIndex(); // now over five volumes
            String damaged = model.live.keySet().stream().skip(7).findFirst().orElseThrow();

            Run locked = tool(args("verify", five, "--db", cluster.db().toString()));
            assertEquals(1, locked.exit(), locked.output());
            assertTrue(locked.output().contains("the index is running on " + cluster.db()) && locked.output().contains("--index"), locked.output());

            Run rebalance;
            Run verify;
            Run repair;
            Writer writer = new Writer(cluster);
            try (writer) {
                rebalance = tool(args("rebalance", five, "--index", cluster.url("")));
                Files.delete(cluster.replicaFiles(damaged).get(0));
                verify = tool(args("verify", five, "--index", cluster.url("")));
                repair = tool(args("verify", five, "--repair", "--index", cluster.url("")));
            }
            assertEquals(0, rebalance.exit(), rebalance.output());
            assertEquals(1, verify.exit(), verify.output());
            assertTrue(verify.output().contains("damaged " + damaged + ": "), verify.output());
            assertEquals(0, repair.exit(), repair.output());
            assertTrue(repair.output().contains("repaired " + damaged + ": copied to "), repair.output());
            assertEquals(List.of(), writer.failures, "PUTs that failed during the online tools");
            assertTrue(writer.written.size() > 10, "the writer wrote only " + writer.written.size() + " keys");

            model.live.putAll(writer.written);
            assertReadable(cluster, model);
            assertOnPlacement(cluster, five, five, model);
        }
    }
}
