package minikv.tools;

import static minikv.tools.ToolsTesting.args;
import static minikv.tools.ToolsTesting.assertOnPlacement;
import static minikv.tools.ToolsTesting.assertReadable;
import static minikv.tools.ToolsTesting.populate;
import static minikv.tools.ToolsTesting.tool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import minikv.placement.Placement;
import minikv.testing.Cluster;
import minikv.testing.Http;
import minikv.testing.JarProcess;
import minikv.testing.VolumeFaults;
import minikv.testing.VolumeProcess;
import minikv.tools.ToolsTesting.Model;
import minikv.tools.ToolsTesting.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code verify} and {@code verify --repair} against real volumes, with the index stopped. */
class VerifyIT {

    @TempDir
    Path dir;

    @Test
    void damageIsNamedThenRepairedByteForByte() throws Exception {
        try (Cluster cluster = Cluster.start(dir, 5, "--replicas", "2")) {
            Model model = populate(cluster, 200, 4);
            List<String> live = new ArrayList<>(model.live.keySet());
            List<String> missing = live.subList(0, 5);
            List<String> flipped = live.subList(5, 10);
            for (String key : missing) {
                Files.delete(cluster.replicaFiles(key).get(0));
            }
            for (String key : flipped) {
                Path replica = cluster.replicaFiles(key).get(1);
                byte[] bytes = Files.readAllBytes(replica);
                bytes[bytes.length / 2] ^= 0x20;
                Files.write(replica, bytes);
            }
            String hiddenDamaged = model.unlinked.keySet().iterator().next();
            Files.delete(cluster.replicaFiles(hiddenDamaged).get(0));

            // Files no record points to: a copy on a volume placement does not name, and a key the index never had.
            String copied = live.get(20);
            Path stray = cluster.volumes().stream()
                    .filter(v -> cluster.locations(copied).stream().noneMatch(l -> Placement.volumeOf(l).equals(v.address())))
                    .findFirst().orElseThrow().dir().resolve("sv00" + Placement.path(copied));
            Files.createDirectories(stray.getParent());
            Files.write(stray, model.live.get(copied));
            Path orphan = cluster.volumes().get(0).dir().resolve("sv03" + Placement.path("/never/indexed"));
            Files.createDirectories(orphan.getParent());
            Files.writeString(orphan, "orphan");
            Path notAReplica = cluster.volumes().get(1).dir().resolve("notes.txt");
            Files.writeString(notAReplica, "an operator's file");

            // A delete and an UNLINK that could not finish: one of the key's volumes was down.
            String undeleted = live.get(30);
            VolumeProcess down = cluster.volume(cluster.locations(undeleted).get(0));
            String renaming = live.stream().skip(31).filter(k -> cluster.locations(k).stream()
                    .anyMatch(l -> Placement.volumeOf(l).equals(down.address()))).findFirst().orElseThrow();
            down.stop();
            assertEquals(503, Http.delete(cluster.keyUrl(undeleted)).statusCode());
            assertEquals(204, Http.send("UNLINK", cluster.keyUrl(renaming)).statusCode());
            cluster.stopIndex();
            cluster.restartVolume(down);
            model.live.remove(undeleted);
            model.gone.add(undeleted);
            model.unlinked.put(renaming, model.live.remove(renaming));
            String db = cluster.db().toString();

            Run verify = tool(args("verify", cluster.volumes(), "--db", db));
            assertEquals(1, verify.exit(), verify.output());
            for (String key : concat(missing, flipped, List.of(hiddenDamaged))) {
                assertTrue(verify.output().contains("damaged " + key + ": "), key + " not named:\n" + verify.output());
            }
            assertTrue(verify.output().contains("damaged " + undeleted + ": DELETING"), verify.output());
            assertTrue(verify.output().contains("damaged " + renaming + ": RENAMING"), verify.output());
            assertTrue(verify.output().contains(String.format("%d damaged", missing.size() + flipped.size() + 2)), verify.output());

            Run fast = tool(args("verify", cluster.volumes(), "--db", db, "--fast"));
            assertEquals(1, fast.exit(), fast.output());
            for (String key : concat(missing, List.of(hiddenDamaged))) {
                assertTrue(fast.output().contains("damaged " + key + ": "), key + " not named:\n" + fast.output());
            }

            Run repair = tool(args("verify", cluster.volumes(), "--db", db, "--repair"));
            assertEquals(0, repair.exit(), repair.output());
            assertTrue(repair.output().contains("repaired " + undeleted + ": finished an unfinished delete"), repair.output());
            assertTrue(repair.output().contains("repaired " + renaming + ": finished an unfinished UNLINK"), repair.output());
            for (String key : concat(missing, flipped, List.of(hiddenDamaged, copied, "/never/indexed"))) {
                assertTrue(repair.output().contains("repaired " + key + ": "), key + " not repaired:\n" + repair.output());
            }
            assertTrue(Files.exists(notAReplica), "files that are not replicas are left alone");
            Files.delete(notAReplica);
            assertOnPlacement(cluster, cluster.volumes(), cluster.volumes(), model);

            Run after = tool(args("verify", cluster.volumes(), "--db", db));
            assertEquals(0, after.exit(), after.output());
            cluster.startIndex();
            assertReadable(cluster, model);
        }
    }

    /**
     * A verify stopped mid-walk (SIGTERM, while one volume hangs and each key on it takes the
     * --timeout) resumes after the last key it finished, counting what the first run found; once
     * every key is done the checkpoint is gone and the next verify starts from the first key.
     */
    @Test
    void aStoppedVerifyResumesWhereItStoppedAndCountsWhatItFoundBefore() throws Exception {
        try (Cluster cluster = Cluster.start(dir, 3, "--replicas", "2"); VolumeFaults faults = new VolumeFaults()) {
            Model model = populate(cluster, 120, 5);
            int keys = model.live.size() + model.unlinked.size();
            cluster.stopIndex();
            Path tmp = Files.createDirectories(dir.resolve("tmp"));
            List<String> jvm = List.of("-Djava.io.tmpdir=" + tmp);
            String[] verify = args("verify", cluster.volumes(), "--db", cluster.db().toString(), "--parallel", "1",
                    "--timeout", "1s").toArray(String[]::new);

            faults.hang(cluster.volumes().get(2));
            try (JarProcess first = JarProcess.start(jvm, verify)) {
                assertTrue(first.awaitOutput("damaged /", ToolsTesting.TOOL_TIMEOUT), first.output());
                first.signal("TERM");
                first.waitFor(ToolsTesting.TOOL_TIMEOUT);
            }
            faults.resumeAll();
            try (Stream<Path> files = Files.list(tmp)) {
                assertEquals(1, files.filter(f -> f.getFileName().toString().startsWith("minikv-verify-")).count(),
                        "the stopped verify left its checkpoint");
            }

            try (JarProcess resumed = JarProcess.start(jvm, verify)) {
                assertEquals(1, resumed.waitFor(ToolsTesting.TOOL_TIMEOUT), "the first run's damaged keys still count: "
                        + resumed.output());
                String output = resumed.output();
                Matcher before = Pattern.compile("resuming the verify stopped at \\S+: (\\d+) keys were checked then \\((?:(\\d+) ok, )?"
                        + "(\\d+) damaged; ").matcher(output);
                assertTrue(before.find(), output);
                int checkedBefore = Integer.parseInt(before.group(1));
                assertTrue(checkedBefore >= 1 && checkedBefore < keys, output);
                assertTrue(Integer.parseInt(before.group(3)) >= 1, output);
                assertTrue(output.contains(String.format("verify: %d keys in ", keys)), "every key, once: " + output);
                assertTrue(output.contains(String.format(", %d of them done before", checkedBefore)), output);
                assertFalse(output.contains("damaged /"), "nothing is damaged now, and no key is checked twice: " + output);
                assertTrue(output.contains("verify: " + (keys - Integer.parseInt(before.group(3))) + " ok, " + before.group(3)
                        + " damaged"), output);
            }
            try (Stream<Path> files = Files.list(tmp)) {
                assertEquals(0, files.count(), "a finished walk leaves no checkpoint");
            }
            try (JarProcess again = JarProcess.start(jvm, verify)) {
                assertEquals(0, again.waitFor(ToolsTesting.TOOL_TIMEOUT), again.output());
                assertFalse(again.output().contains("resuming"), again.output());
            }
        }
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> all = new ArrayList<>();
        for (List<String> l : lists) {
            all.addAll(l);
        }
        return all;
    }

}
