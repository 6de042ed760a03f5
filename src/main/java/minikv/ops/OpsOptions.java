package minikv.ops;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** The index command's operability options, mixed into its command line. */
public final class OpsOptions {

    /** The admin port sits this far above the main one by default: 3000 → 4000. */
    static final int ADMIN_PORT_OFFSET = 1000;

    @Option(names = "--admin-port", paramLabel = "PORT|off",
            description = "port for /metrics, /health/live, /health/ready and /status, kept off the key space"
                    + " (default: --port + " + ADMIN_PORT_OFFSET + "; off: none)")
    String adminPort;

    @Option(names = "--admin-bind", paramLabel = "ADDR", description = "address for the admin port (default: --bind)")
    String adminBind;

    @Option(names = "--min-free", paramLabel = "SIZE|N%", defaultValue = "1GiB", converter = MinFreeConverter.class,
            description = "refuse (507) a PUT that would leave a volume with less free space, e.g. 10GiB, 5%%, 0"
                    + " (default: ${DEFAULT-VALUE})")
    MinFree minFree;

    @Option(names = "--access-log", description = "write one line per request to stdout")
    boolean accessLog;

    @Option(names = {"-v", "--verbose"}, description = "log at debug level")
    boolean verbose;

    /**
     * @param port the index's own port, from which the admin port's default derives
     * @throws IllegalArgumentException for an admin port that is neither a port number nor "off"
     */
    public OpsConfig config(int port, String bind) {
        return new OpsConfig(admin(port, bind), minFree, accessLog, verbose);
    }

    private OpsConfig.Admin admin(int port, String bind) {
        String address = adminBind == null ? bind : adminBind;
        if (adminPort == null) {
            int derived = port + ADMIN_PORT_OFFSET;
            return derived <= 65535 ? new OpsConfig.Admin(address, derived, false) : null;
        }
        if (adminPort.equals("off")) {
            return null;
        }
        int chosen;
        try {
            chosen = Integer.parseInt(adminPort);
        } catch (NumberFormatException e) {
            chosen = -1;
        }
        if (chosen < 1 || chosen > 65535 || chosen == port) {
            throw new IllegalArgumentException("--admin-port must be a port from 1 to 65535 other than --port, or off;"
                    + " not '" + adminPort + "'");
        }
        return new OpsConfig.Admin(address, chosen, true);
    }

    static final class MinFreeConverter implements ITypeConverter<MinFree> {
        @Override
        public MinFree convert(String value) {
            return MinFree.parse(value);
        }
    }
}
