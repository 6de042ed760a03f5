package minikv.tools;

import static minikv.tools.ToolsTesting.args;
import static minikv.tools.ToolsTesting.assertOnPlacement;
import static minikv.tools.ToolsTesting.assertReadable;
import static minikv.tools.ToolsTesting.populate;
import static minikv.tools.ToolsTesting.valueFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import minikv.testing.Cluster;
import minikv.testing.JarProcess;
import minikv.testing.VolumeFaults;
import minikv.testing.VolumeFaults.Fault;
import minikv.testing.VolumeProcess;
import minikv.tools.ToolsTesting.Model;
import minikv.tools.ToolsTesting.Run;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A volume stopped, hung or killed while {@code rebalance} is half-way: the tool leaves work
 * undone and says so, but never loses a value; run again once the volume is back, it finishes
 * with every value on exactly its placement volumes.
 */
class RebalanceFaultIT {

    private static final Duration TOOL_LIMIT = Duration.ofMinutes(2);

    @TempDir
    Path dir;
    final VolumeFaults faults = new VolumeFaults();

    @AfterEach
    void resumeHungVolumes() {
        faults.close();
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void aVolumeLostHalfWayLosesNothingAndARerunFinishes(Fault fault) throws Exception {
        try (Cluster cluster = Cluster.start(dir, 4, "--replicas", "2")) {
            // Enough keys that the fault lands while the rebalance still has work on the faulty volume.
            Model model = populate(cluster, 120, 40 + fault.ordinal());
            VolumeProcess fifth = cluster.addVolume();
            List<VolumeProcess> five = List.copyOf(cluster.volumes());
            VolumeProcess faulty = five.get(0);
            cluster.stopIndex();
            String db = cluster.db().toString();

            Run halfWay;
            // --timeout 1s: how long the tool waits for a hung volume before giving that key up.
            try (JarProcess rebalance = JarProcess.start(
                    args("rebalance", five, "--db", db, "--parallel", "4", "--timeout", "1s").toArray(String[]::new))) {
                long deadline = System.nanoTime() + TOOL_LIMIT.toNanos();
                while (valueFiles(fifth.dir()).size() < 3 && rebalance.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertTrue(rebalance.isAlive(), "rebalance ended before the fault:\n" + rebalance.output());
                faults.inflict(fault, faulty);
                halfWay = new Run(rebalance.waitFor(TOOL_LIMIT), rebalance.output());
            }
            assertNotEquals(0, halfWay.exit(), "work on the lost volume is left undone and reported:\n" + halfWay.output());

            // While the volume is still lost, every value reads back from its other copies.
            cluster.startIndex();
            assertReadable(cluster, model);
            cluster.stopIndex();

            faults.recover(fault, faulty, cluster);
            List<VolumeProcess> recovered = List.copyOf(cluster.volumes());
            Run rerun = ToolsTesting.tool(args("rebalance", recovered, "--db", db));
            assertEquals(0, rerun.exit(), rerun.output());
            assertOnPlacement(cluster, recovered, recovered, model);
            cluster.startIndex();
            assertReadable(cluster, model);
        }
    }
}
