package minikv;

import minikv.bench.BenchCommand;
import minikv.devcluster.DevClusterCommand;
import minikv.index.IndexCommand;
import minikv.tools.MigrateCommand;
import minikv.tools.RebalanceCommand;
import minikv.tools.RebuildCommand;
import minikv.tools.VerifyCommand;
import minikv.volume.VolumeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one command line: each role of the system is a subcommand of the same jar. */
@Command(name = "minikv",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "A distributed blob store: nginx volume servers and one index server.",
        subcommands = {CommandLine.HelpCommand.class, VolumeCommand.class, IndexCommand.class, BenchCommand.class,
                RebuildCommand.class, RebalanceCommand.class, VerifyCommand.class, MigrateCommand.class,
                DevClusterCommand.class})
public final class Main {

    public static void main(String[] args) {
        // Undertow logs through jboss-logging, which ignores slf4j unless told to use it.
        System.setProperty("org.jboss.logging.provider", "slf4j");
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"minikv " + (v == null ? "dev" : v)};
        }
    }
}
