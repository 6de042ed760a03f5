package minikv.devcluster;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import minikv.cli.PortConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * A whole cluster on one machine, in the foreground: the one launcher behind scripts/up,
 * scripts/bench and scripts/bench-tools. Each member is its own process of this jar, so that
 * each can be measured, signalled and killed on its own, as in production.
 */
@Command(name = "dev-cluster",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a local cluster in the foreground: N volume servers and an index over them, each its own"
                    + " process of this jar, on consecutive ports (the index on --port, the volumes on the next N)."
                    + " Data goes under --dir: volume1..N/ and indexdb/.",
            "Prints one line per member (\"dev-cluster: volume|index ADDRESS pid PID\") and then \"dev-cluster: ready\""
                    + " once every member answers HTTP. Ctrl-C or SIGTERM stops them all, index first; so does any"
                    + " member exiting on its own (exit status 1). Options after -- go to the index, e.g."
                    + " -- --replicas 2 --no-md5."},
        footer = {"", "Exit status: 128 + the signal when stopped by one (130 for Ctrl-C, 143 for SIGTERM), 1 when a"
                + " member failed to start or exited, 2 on bad options."})
public final class DevClusterCommand implements Callable<Integer> {

    private static final Duration START_PATIENCE = Duration.ofSeconds(30);

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "data",
            description = "where the members keep their data; created if missing (default: ${DEFAULT-VALUE})")
    Path dir;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "3000", converter = PortConverter.class,
            description = "the index's port; volume n listens on PORT+n (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--volumes", paramLabel = "N", defaultValue = "3",
            description = "how many volume servers (default: ${DEFAULT-VALUE})")
    int volumes;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "the address every member listens on (default: ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--volume-host", paramLabel = "HOST",
            description = "the host in the volumes' addresses, which the index records with every key and puts in its"
                    + " redirects (default: the --bind address; 127.0.0.1 for a wildcard)")
    String volumeHost;

    @Option(names = "--db", paramLabel = "DIR|URL",
            description = "the index's database: a directory or a postgresql:// URL (default: DIR/indexdb)")
    String db;

    @Option(names = "--no-index", description = "start the volumes only (for the tools, which need no index)")
    boolean noIndex;

    @Parameters(paramLabel = "INDEX_OPTION", arity = "0..*", description = "after --: options for the index")
    List<String> indexOptions = new ArrayList<>();

    private final List<Member> members = new ArrayList<>();
    private volatile boolean stopping;

    @Override
    public Integer call() throws InterruptedException {
        if (volumes < 1 || port + volumes > 65535) {
            throw new ParameterException(spec.commandLine(), "--volumes must be at least 1, and PORT+N a port, not "
                    + volumes + " volumes after port " + port);
        }
        PrintWriter out = spec.commandLine().getOut();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "dev-cluster-stop"));
        try {
            Path jar = ownJar();
            Files.createDirectories(dir);
            List<String> addresses = new ArrayList<>();
            for (int n = 1; n <= volumes; n++) {
                String address = Members.address(volumeHost != null ? volumeHost : bind, port + n);
                addresses.add(address);
                members.add(Member.start(jar, "volume" + n, address,
                        Members.volume(bind, port + n, Members.volumeDir(dir, n), List.of())));
            }
            for (Member volume : members) {
                volume.awaitAnswer(START_PATIENCE);
            }
            if (!noIndex) {
                Member index = Member.start(jar, "index", Members.address(bind, port),
                        Members.index(bind, port, db != null ? db : Members.indexDb(dir).toString(), addresses, indexOptions));
                members.add(index);
                index.awaitAnswer(START_PATIENCE);
            }
        } catch (IOException e) {
            spec.commandLine().getErr().println("dev-cluster: " + e.getMessage());
            return 1; // the shutdown hook stops what did start
        }
        for (Member m : members) {
            out.println("dev-cluster: " + m.role + " " + m.address + " pid " + m.pid());
        }
        out.println("dev-cluster: ready (" + dir.toAbsolutePath().normalize() + "); Ctrl-C stops it");
        out.flush();

        CompletableFuture.anyOf(members.stream().map(m -> m.process().onExit()).toArray(CompletableFuture[]::new)).join();
        if (!stopping) {
            for (Member m : members) {
                if (!m.process().isAlive()) {
                    spec.commandLine().getErr().println("dev-cluster: " + m.name + " (pid " + m.pid() + ") exited with status "
                            + m.process().exitValue() + "; stopping the others");
                }
            }
        }
        return 1;
    }

    /** Index first, so that it sends nothing to volumes that are going away. */
    private void stopAll() {
        stopping = true;
        for (int i = members.size() - 1; i >= 0; i--) {
            try {
                members.get(i).stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static Path ownJar() throws IOException {
        try {
            Path jar = Path.of(DevClusterCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(jar)) {
                throw new IOException("dev-cluster runs its members from its own jar; run it with java -jar minikv.jar");
            }
            return jar;
        } catch (URISyntaxException e) {
            throw new IOException("cannot tell where this jar is: " + e.getMessage(), e);
        }
    }
}
