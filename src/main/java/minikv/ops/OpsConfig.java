package minikv.ops;

/**
 * The operability settings of the index.
 *
 * @param admin where the admin endpoints listen, or null for nowhere
 * @param accessLog one line per request on stdout
 * @param verbose debug logging
 */
public record OpsConfig(Admin admin, MinFree minFree, boolean accessLog, boolean verbose) {

    /**
     * @param explicit the operator chose the port: failing to listen there stops the index, while
     *     the derived default only costs a warning (the key space must not go down for a busy
     *     side port)
     */
    public record Admin(String bind, int port, boolean explicit) {}
}
