package minikv.tools;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import minikv.cli.Durations;
import minikv.cluster.VolumeClient;
import minikv.http.ClusterHttp;
import minikv.placement.Placement;
import minikv.security.ClusterSecret;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** What every tool shares with the index's command line: the volumes and how keys are placed on them. */
final class ClusterOptions {

    private static final Pattern HOST_PORT = Pattern.compile("[^\\s/:]+:\\d{1,5}");

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "VOLUME",
            description = "the volume servers, host:port, named exactly as the index names them")
    List<String> volumes;

    @Option(names = "--replicas", defaultValue = "3",
            description = "volumes that hold each value, as given to the index (default: ${DEFAULT-VALUE})")
    int replicas;

    @Option(names = "--subvolumes", defaultValue = "10",
            description = "svXX directories per volume, as given to the index (default: ${DEFAULT-VALUE})")
    int subvolumes;

    @Option(names = "--parallel", defaultValue = "16",
            description = "requests in flight at once (default: ${DEFAULT-VALUE})")
    int parallel;

    @Option(names = "--timeout", defaultValue = "30s", converter = Durations.class,
            description = "how long a volume may take to connect or to send more bytes (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--secret-file", paramLabel = "FILE",
            description = "the cluster secret the volumes were started with (--secret-file): needed to write to them,"
                    + " and with --signed-reads to read and list them")
    Path secretFile;

    /** The placement these options describe; a usage error if they cannot work. */
    Placement placement() {
        for (String volume : volumes) {
            if (!HOST_PORT.matcher(volume).matches()) {
                throw new ParameterException(spec.commandLine(), "VOLUME must be host:port, not '" + volume + "'");
            }
        }
        if (parallel < 1 || parallel > 1024) {
            throw new ParameterException(spec.commandLine(), "--parallel must be between 1 and 1024, not " + parallel);
        }
        try {
            return new Placement(volumes, replicas, subvolumes);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** Every volume ranked for a key: the order in which the index lists a key's locations. */
    Placement ranking() {
        return new Placement(volumes, volumes.size(), subvolumes);
    }

    /** A client sized for {@code --parallel} requests at once. */
    VolumeClient client() {
        Optional<ClusterSecret> secret;
        try {
            secret = Optional.ofNullable(secretFile).map(ClusterSecret::read);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        // Every thread may have a connection to each volume; a copy holds two.
        return new VolumeClient(new ClusterHttp(timeout, secret, Math.max(5, parallel * 2)), timeout);
    }
}
