package minikv.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * The machine's own PostgreSQL (Debian's {@code postgresql}, which scripts/setup installs),
 * started for a test class on 127.0.0.1 in a temporary directory and stopped after it. initdb
 * refuses to run as root, so as root the server runs as the {@code postgres} user. Where none
 * can be started the tests are skipped, saying why.
 *
 * <pre>
 * &#64;RegisterExtension
 * static final Postgres postgres = new Postgres();
 * </pre>
 *
 * {@link #withStandby()} adds a synchronous standby fed by streaming replication: a commit
 * returns only once the standby has it, and the primary can be killed and the standby promoted.
 */
public final class Postgres implements BeforeAllCallback, AfterAllCallback {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final String STANDBY_NAME = "standby";

    private final boolean standby;
    private Path dir;
    private Path bin;
    private int port;
    private int standbyPort;

    public Postgres() {
        this(false);
    }

    private Postgres(boolean standby) {
        this.standby = standby;
    }

    /** A primary with a synchronous standby. */
    public static Postgres withStandby() {
        return new Postgres(true);
    }

    /** Starts the server before the class's tests. @throws TestAbortedException (a skip) if none is installed */
    @Override
    public void beforeAll(ExtensionContext context) {
        bin = binaries().orElseThrow(() -> new TestAbortedException(
                "no PostgreSQL under /usr/lib/postgresql/*/bin (scripts/setup installs Debian's postgresql)"));
        try {
            dir = Files.createTempDirectory("minikv-postgres");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            if (asRoot()) {
                UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
                Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
            }
            port = FreePorts.next();
            run(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust",
                    "-U", "minikv", "-E", "UTF8", "--no-sync"));
            String replication = standby ? " -c synchronous_standby_names=" + STANDBY_NAME + " -c synchronous_commit=on" : "";
            start("data", port, replication);
            if (standby) {
                standbyPort = FreePorts.next();
                run(List.of(bin.resolve("pg_basebackup").toString(), "-h", "127.0.0.1", "-p", String.valueOf(port),
                        "-U", "minikv", "-D", dir.resolve("standby").toString(), "-X", "stream", "--no-sync"));
                String conninfo = "host=127.0.0.1 port=" + port + " user=minikv application_name=" + STANDBY_NAME;
                run(List.of("sh", "-c", "touch " + dir.resolve("standby/standby.signal") + " && echo \"primary_conninfo = '"
                        + conninfo + "'\" >> " + dir.resolve("standby/postgresql.auto.conf")));
                start("standby", standbyPort, "");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL", e);
        }
    }

    private void start(String data, int onPort, String options) {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve(data).toString(), "-w",
                "-l", dir.resolve(data + ".log").toString(),
                "-o", "-p " + onPort + " -k " + dir + " -c listen_addresses=127.0.0.1" + options, "start"));
    }

    /**
     * A new empty database, as a {@code postgresql://} URL for the store; with a standby, the
     * URL names both servers and asks for the primary, as an operator's would.
     */
    public String newDatabase() {
        String name = "minikv_test_" + DATABASES.incrementAndGet();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=minikv");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return standby
                ? "postgresql://127.0.0.1:" + port + ",127.0.0.1:" + standbyPort + "/" + name + "?user=minikv&targetServerType=primary"
                : "postgresql://127.0.0.1:" + port + "/" + name + "?user=minikv";
    }

    /** Kills the primary's server process with SIGKILL, as a machine failure would. */
    public void killPrimary() {
        try {
            String pid = Files.readAllLines(dir.resolve("data/postmaster.pid")).get(0).strip();
            ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Promotes the standby to primary; returns once it takes writes. */
    public void promoteStandby() {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("standby").toString(), "-w", "promote"));
    }

    public int port() {
        return port;
    }

    /** Stops the server at once after the class's tests (its data goes with the directory). */
    @Override
    public void afterAll(ExtensionContext context) {
        if (dir == null) {
            return;
        }
        try {
            for (String data : standby ? List.of("standby", "data") : List.of("data")) {
                try {
                    run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve(data).toString(), "-m", "immediate",
                            "-w", "stop"));
                } catch (IllegalStateException e) {
                    // not running: a primary the test killed
                }
            }
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // left in the temp directory
            }
        }
    }

    private void run(List<String> command) {
        List<String> full = new ArrayList<>();
        if (asRoot()) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                String log = Files.exists(dir.resolve("data.log")) ? Files.readString(dir.resolve("data.log")) : "";
                throw new IllegalStateException(String.join(" ", full) + " failed:\n" + output + log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + full, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The newest installed version's bin directory. */
    private static Optional<Path> binaries() {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(b -> versionOf(b.getParent())));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int versionOf(Path dir) {
        try {
            return Integer.parseInt(dir.getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
