package minikv.volume;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import minikv.cli.PortConverter;
import minikv.security.ClusterSecret;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code minikv volume PORT DIR}: one volume server, an nginx the launcher configures and watches. */
@Command(name = "volume",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Serve DIR over HTTP with nginx, as one volume of the blob store. Blobs are plain files under"
                    + " DIR: GET and HEAD read one (Range supported), PUT writes one (creating parent"
                    + " directories), DELETE removes one, MOVE and COPY take a Destination header. GET on a"
                    + " directory URI (ending in /) lists it as JSON. Names starting with a dot are reserved"
                    + " and never served.",
            "",
            "Prints one line to stdout once nginx answers (\"volume :PORT serving DIR/\"); nginx's error log"
                    + " goes to stderr. If nginx dies it is restarted with backoff. SIGTERM or SIGINT stops"
                    + " nginx gracefully and exits 0.",
            ""},
        footer = {
            "",
            "nginx's config, pid file, request-body temp files and logs live in DIR/.minikv/. An nginx left"
                    + " running there by a launcher killed with -9 is found through its pid file and stopped."
                    + " Started as root, nginx's workers run as DIR's owner and group.",
            "",
            "Exit status: 0 after SIGTERM/SIGINT, 1 if the volume cannot start, 2 for bad arguments."})
public final class VolumeCommand implements Callable<Integer> {

    private static final String BUILT_IN_TEMPLATE = "/nginx-templates/volume.conf";

    @Parameters(index = "0", paramLabel = "PORT", converter = PortConverter.class,
            description = "TCP port to listen on (1-65535).")
    private int port;

    @Parameters(index = "1", paramLabel = "DIR", description = "Directory of blobs; created if missing.")
    private Path dir;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "0.0.0.0",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, every IPv4 interface).")
    private String bind;

    @Option(names = "--nginx", paramLabel = "PATH",
            description = {"nginx binary, built with the WebDAV module. Default: $" + NginxLocator.ENVIRONMENT_VARIABLE
                    + ", else nginx on PATH, else /usr/sbin/nginx."})
    private Path nginx;

    @Option(names = "--template", paramLabel = "FILE",
            description = "nginx config template to render instead of the built-in one; {{name}} placeholders"
                    + " are filled in by the launcher.")
    private Path template;

    @Option(names = "--access-log", description = "Log every request to DIR/.minikv/access.log (off by default).")
    private boolean accessLog;

    @Option(names = "--secret-file", paramLabel = "FILE",
            description = {"Accept writes (PUT, DELETE, MOVE, COPY) only with the cluster secret in FILE, which the"
                    + " index sends (index --secret-file, same file). Make one with: openssl rand -hex 32 > FILE."
                    + " Without it, anyone who can reach the port can write."})
    private Path secretFile;

    @Option(names = "--allow", paramLabel = "CIDR",
            description = "Accept writes only from this address or network, e.g. 10.0.0.0/8 (repeatable). Reads"
                    + " stay open to all.")
    private List<String> allowedWriters = new ArrayList<>();

    @Option(names = "--signed-reads",
            description = "Serve a value only through a link the index signed, for as long as the index's"
                    + " --link-ttl (or to a client that sends the secret). Needs --secret-file and nginx's"
                    + " secure_link module.")
    private boolean signedReads;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        try {
            return serve();
        } catch (VolumeStartupException e) {
            spec.commandLine().getErr().println("minikv volume: " + e.getMessage());
            return 1;
        }
    }

    private int serve() throws VolumeStartupException {
        VolumeAccess access = access();
        Path nginxBinary = NginxLocator.locate(Optional.ofNullable(nginx), System.getenv(), signedReads);
        ListenAddress listen = ListenAddress.resolve(bind, port);
        RuntimeFiles files = VolumeDirectory.prepare(dir);
        LeftoverNginx.stopIfRunning(files, NginxSupervisor.STOP_GRACE);
        listen.requireFree();
        DiskStatusReporter.start(files);
        writeConfig(new VolumeSettings(files, listen.hostAddress(), port,
                VolumeDirectory.workerUserIfRoot(files.volumeDir()), accessLog, access));
        access.openWritesWarning(port).ifPresent(spec.commandLine().getErr()::println);

        NginxSupervisor supervisor = new NginxSupervisor(nginxBinary, files, listen);
        ShutdownOnSignal shutdown = ShutdownOnSignal.install(supervisor::stop);
        try {
            supervisor.start();
        } catch (VolumeStartupException e) {
            if (shutdown.claimExit()) {
                supervisor.stop();
            }
            throw e;
        }
        spec.commandLine().getOut().println("volume :" + port + " serving " + files.volumeDir() + "/");
        spec.commandLine().getOut().flush();
        supervisor.superviseUntilStopped();
        return 0;
    }

    /** The access options: an unusable secret file ends the launcher with 1, a usage mistake with 2. */
    private VolumeAccess access() throws VolumeStartupException {
        Optional<ClusterSecret> secret;
        try {
            secret = Optional.ofNullable(secretFile).map(ClusterSecret::read);
        } catch (IllegalArgumentException e) {
            throw new VolumeStartupException(e.getMessage());
        }
        try {
            return new VolumeAccess(secret, allowedWriters.stream().map(WriterNetwork::parse).toList(), signedReads);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** Readable by the launcher's user only: it may hold the cluster secret. */
    private void writeConfig(VolumeSettings settings) throws VolumeStartupException {
        Path config = settings.files().config();
        try {
            String text = TemplateRenderer.render(templateText(), NginxConfigValues.of(settings));
            Files.deleteIfExists(config);
            Files.createFile(config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(config, text, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IllegalArgumentException e) {
            throw new VolumeStartupException("cannot render " + templateName() + ": " + e.getMessage());
        } catch (IOException e) {
            throw new VolumeStartupException("cannot write " + config + ": " + e.getMessage());
        }
    }

    private String templateText() throws VolumeStartupException {
        if (template != null) {
            try {
                return Files.readString(template);
            } catch (IOException e) {
                throw new VolumeStartupException("cannot read template " + template + ": " + e.getMessage());
            }
        }
        try (InputStream builtIn = VolumeCommand.class.getResourceAsStream(BUILT_IN_TEMPLATE)) {
            if (builtIn == null) {
                throw new IllegalStateException(BUILT_IN_TEMPLATE + " is missing from the jar");
            }
            return new String(builtIn.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String templateName() {
        return template == null ? "the built-in template" : "template " + template;
    }
}
