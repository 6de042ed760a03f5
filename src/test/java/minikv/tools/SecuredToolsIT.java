package minikv.tools;

import static minikv.tools.ToolsTesting.args;
import static minikv.tools.ToolsTesting.assertReadable;
import static minikv.tools.ToolsTesting.listAll;
import static minikv.tools.ToolsTesting.populate;
import static minikv.tools.ToolsTesting.tool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import minikv.testing.Cluster;
import minikv.tools.ToolsTesting.Model;
import minikv.tools.ToolsTesting.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tools on volumes that take writes only with the cluster secret and serve reads only to signed links. */
class SecuredToolsIT {

    @TempDir
    Path dir;

    @Test
    void theToolsWorkWithTheSecretAndSayWhatIsMissingWithoutIt() throws Exception {
        String secret = Files.writeString(dir.resolve("secret"), "0123456789abcdef0123456789abcdef\n").toString();
        try (Cluster cluster = Cluster.startWithVolumeOptions(dir, 3, List.of("--secret-file", secret, "--signed-reads"),
                "--secret-file", secret, "--signed-reads", "--replicas", "2")) {
            Model model = populate(cluster, 60, 5); // UNLINK renames with the secret
            String damaged = model.live.keySet().iterator().next();
            Files.delete(cluster.replicaFiles(damaged).get(0));

            Run repair = tool(args("verify", cluster.volumes(), "--repair", "--secret-file", secret, "--index", cluster.url("")));
            assertEquals(0, repair.exit(), repair.output());
            assertTrue(repair.output().contains("repaired " + damaged + ": copied to "), repair.output());
            List<String> live = listAll(cluster, "list");
            List<String> unlinked = listAll(cluster, "unlinked");
            cluster.stopIndex();

            Run withoutSecret = tool(args("rebuild", cluster.volumes(), "--db", dir.resolve("nosecret").toString()));
            assertEquals(1, withoutSecret.exit(), withoutSecret.output());
            assertTrue(withoutSecret.output().contains("answered 403 (a volume started with --secret-file needs the same --secret-file here"),
                    withoutSecret.output());

            Path rebuilt = dir.resolve("rebuilt");
            Run rebuild = tool(args("rebuild", cluster.volumes(), "--secret-file", secret, "--db", rebuilt.toString()));
            assertEquals(0, rebuild.exit(), rebuild.output());
            Files.move(cluster.db(), dir.resolve("original-db"));
            Files.move(rebuilt, cluster.db());
            Run verify = tool(args("verify", cluster.volumes(), "--secret-file", secret, "--db", cluster.db().toString()));
            assertEquals(0, verify.exit(), verify.output());

            cluster.startIndex();
            assertEquals(live, listAll(cluster, "list"));
            assertEquals(unlinked, listAll(cluster, "unlinked"));
            assertReadable(cluster, model);
            assertEquals(new ArrayList<>(model.live.keySet()), live);
        }
    }
}
