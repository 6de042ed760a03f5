package minikv.tools;

import java.io.IOException;
import java.util.concurrent.Callable;
import minikv.cluster.KeyMover;
import minikv.placement.Placement;
import minikv.tools.Databases.ToolFailure;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code minikv rebalance (--db DIR | --index URL) VOLUME...}: after volumes were added or
 * removed, moves every key to where placement now puts it (see {@link KeyMover} for the order
 * that never loses the last good copy and lets an interrupted run be run again).
 */
@Command(name = "rebalance",
        mixinStandardHelpOptions = true,
        description = {
            "Moves every value to the volumes its placement names now, after volumes were added or removed:",
            "copies (streamed through this tool, checked against the md5), records the new locations,",
            "then deletes the old copies. Safe to interrupt and to run again.",
            "With --db the index must be stopped; with --index it keeps serving (and writing) meanwhile,",
            "and must already run with the new VOLUME list.",
            "Exit status: 0 every key is where it belongs; 1 some key could not be moved (named above)."})
public final class RebalanceCommand implements Callable<Integer> {

    @Mixin
    ClusterOptions cluster;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target.Where where;

    @Option(names = "--dry-run", description = "only list the moves")
    boolean dryRun;

    @Override
    public Integer call() throws InterruptedException {
        Placement placement = cluster.placement();
        Tools.quietLibraryLogs();
        try (Target target = Target.open(where, cluster.client(), placement)) {
            KeyRun.Tally tally = KeyRun.overKeys("rebalance", target, cluster.parallel,
                    (key, record) -> target.rebalance(key, dryRun));
            System.out.println("rebalance: " + tally.summary() + (dryRun ? " (dry run: nothing changed)" : ""));
            if (tally.problems()) {
                System.out.println("rebalance: NOT DONE: some keys could not be moved (named above); run again once their volumes are back");
                return 1;
            }
            return 0;
        } catch (ToolFailure | IOException e) {
            System.err.println("rebalance: " + e.getMessage());
            return 1;
        }
    }
}
