package minikv.index;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import minikv.cli.Durations;
import minikv.ops.OpsOptions;
import minikv.s3.S3Credentials;
import minikv.security.ClusterSecret;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code minikv index [options] VOLUME...}: runs the index server in the foreground. */
@Command(name = "index",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the index server: the HTTP front of the store (minikeyvalue's API). GET/HEAD redirect to a"
                    + " replica, PUT writes every replica at once (all or nothing), DELETE, UNLINK, RELINK, and"
                    + " GET /prefix?list or ?unlinked list keys.",
            "",
            "",
            "With --s3-port and --s3-credentials it also serves the S3 API on its own port: the S3 object KEY in"
                    + " BUCKET is the key /BUCKET/KEY.",
            "",
            "Metrics, health checks and a status page are on a separate admin port. Stops cleanly on SIGTERM."})
public final class IndexCommand implements Callable<Integer> {

    private static final Pattern HOST_PORT = Pattern.compile("[^\\s/:]+:\\d{1,5}");

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "VOLUME", description = "volume servers, each host:port")
    List<String> volumes;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "3000", description = "port to listen on (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "0.0.0.0", description = "address to listen on (default: ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--db", paramLabel = "DIR|URL", defaultValue = "./indexdb",
            description = "the index database: a directory (embedded; default: ${DEFAULT-VALUE}) or a"
                    + " postgresql://HOST:PORT/DB?user=USER URL; its password, if any, comes from PGPASSWORD")
    String db;

    @Option(names = "--replicas", paramLabel = "N", defaultValue = "3",
            description = "volumes that hold each value; at most the number of volumes (default: ${DEFAULT-VALUE})")
    int replicas;

    @Option(names = "--subvolumes", paramLabel = "N", defaultValue = "10",
            description = "directories svXX each volume is split into, 1 to 256 (default: ${DEFAULT-VALUE})")
    int subvolumes;

    @Option(names = "--fallback", paramLabel = "HOST:PORT", description = "redirect GETs of missing keys there instead of 404")
    String fallback;

    @Option(names = "--protect", description = "refuse to DELETE a key that was not UNLINKed first")
    boolean protect;

    @Option(names = "--voltimeout", paramLabel = "DURATION", defaultValue = "1s", converter = Durations.class,
            description = "how long a volume may take to connect or answer a probe or DELETE (a DELETE, and a failed"
                    + " write's rollback, gets 2s more per GiB of the value), e.g. 500ms, 2s (default: ${DEFAULT-VALUE})")
    Duration volumeTimeout;

    @Option(names = "--md5", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "compute and keep each value's md5, served as Content-Md5 (default: on; --no-md5 turns it off;"
                    + " a Content-MD5 request header is checked either way)")
    boolean md5;

    @Option(names = "--secret-file", paramLabel = "FILE",
            description = "the cluster secret, sent with every write to the volumes (start them with the same"
                    + " --secret-file); make one with: openssl rand -hex 32 > FILE")
    Path secretFile;

    @Option(names = "--signed-reads",
            description = "redirect reads to links signed with the secret that expire after --link-ttl (start the"
                    + " volumes with --signed-reads too); needs --secret-file")
    boolean signedReads;

    @Option(names = "--link-ttl", paramLabel = "DURATION", defaultValue = "60s", converter = Durations.class,
            description = "how long a signed read link works, at least 1s (default: ${DEFAULT-VALUE})")
    Duration linkTtl;

    @Option(names = "--write-timeout", paramLabel = "DURATION", defaultValue = "60s", converter = Durations.class,
            description = "a PUT whose client sends nothing for this long is dropped and rolled back, freeing"
                    + " its key; at most 5m (default: ${DEFAULT-VALUE})")
    Duration writeTimeout;

    @Option(names = "--s3-port", paramLabel = "PORT",
            description = "also serve the S3 API on this port (off without it); needs --s3-credentials")
    Integer s3Port;

    @Option(names = "--s3-credentials", paramLabel = "FILE",
            description = "the S3 users: one ACCESS_KEY_ID SECRET_ACCESS_KEY pair a line (# comments), not readable"
                    + " by others; every user may do everything")
    Path s3Credentials;

    @Option(names = "--s3-domain", paramLabel = "NAME", defaultValue = "localhost",
            description = "a Host of BUCKET.NAME names the bucket (virtual-hosted style); path style always works"
                    + " (default: ${DEFAULT-VALUE})")
    String s3Domain;

    @Option(names = "--s3-upload-max-age", paramLabel = "DURATION", defaultValue = "7d", converter = Durations.class,
            description = "abort a multipart upload still unfinished after this long, parts and all (default: ${DEFAULT-VALUE})")
    Duration s3UploadMaxAge;
    @Mixin
    OpsOptions ops;

    @Override
    public Integer call() throws InterruptedException {
        for (String volume : volumes) {
            requireHostPort("VOLUME", volume);
        }
        if (fallback != null) {
            requireHostPort("--fallback", fallback);
        }

        if ((s3Port == null) != (s3Credentials == null)) {
            throw new ParameterException(spec.commandLine(), "--s3-port and --s3-credentials go together");
        }
        Optional<ClusterSecret> secret;
        Optional<IndexServer.S3Config> s3;
        try {
            secret = Optional.ofNullable(secretFile).map(ClusterSecret::read);
            s3 = s3Port == null ? Optional.empty()
                    : Optional.of(new IndexServer.S3Config(s3Port, S3Credentials.read(s3Credentials), s3Domain, s3UploadMaxAge));
        } catch (IllegalArgumentException e) {
            System.err.println("index: " + e.getMessage());
            return 1;
        }

        IndexServer server;
        try {
            server = IndexServer.start(new IndexServer.Config(volumes, bind, port, db, replicas, subvolumes,
                    fallback, protect, volumeTimeout, md5, secret, signedReads, linkTtl, writeTimeout, s3),
                    ops.config(port, bind));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        } catch (IllegalStateException e) {
            System.err.println("index: " + e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(0); // an orderly stop is a success; the JVM would exit 143
        }, "index-shutdown"));
        System.out.printf("index %s:%d (%d volumes, %d replicas) db %s%s%n",
                bind.equals("0.0.0.0") ? "" : bind, port, volumes.size(), replicas, db,
                s3.map(c -> ", S3 on port " + c.port() + " (" + c.credentials().users() + " users)").orElse(""));
        System.out.flush();
        server.awaitClose();
        return 0;
    }

    private void requireHostPort(String what, String value) {
        if (!HOST_PORT.matcher(value).matches()) {
            throw new ParameterException(spec.commandLine(), what + " must be host:port, not '" + value + "'");
        }
    }
}
