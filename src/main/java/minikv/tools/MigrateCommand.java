package minikv.tools;

import java.util.concurrent.Callable;
import minikv.store.IndexStore;
import minikv.store.Record;
import minikv.tools.Databases.ToolFailure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code minikv migrate --from WHERE --to WHERE}: copies an index from one store to another (a
 * directory or a postgresql:// URL, either way), every record as it is, then checks the copy by
 * its counts per state.
 */
@Command(name = "migrate",
        mixinStandardHelpOptions = true,
        description = {
            "Copies an index database to another store, a directory (embedded Xodus) or a postgresql:// URL, either"
                    + " way: every record as it is (pending and deleting ones too, which the index settles when it starts"
                    + " on the copy). Then reopens the copy and checks its keys per state against the source.",
            "The index must be stopped. The target must be empty: a new directory, or a database without minikv"
                    + " keys. The volumes are not touched. A password comes from PGPASSWORD.",
            "Exit status: 0 the copy holds every key; 1 it could not be made or does not match (it says which)."})
public final class MigrateCommand implements Callable<Integer> {

    @Option(names = "--from", required = true, paramLabel = "DIR|URL", description = "the index database to copy")
    String from;

    @Option(names = "--to", required = true, paramLabel = "DIR|URL", description = "where to copy it; must be empty")
    String to;

    @Override
    public Integer call() throws InterruptedException {
        Tools.quietLibraryLogs();
        try {
            return migrate();
        } catch (ToolFailure e) {
            System.err.println("migrate: " + e.getMessage());
            return 1;
        }
    }

    private int migrate() throws InterruptedException {
        long[] copied;
        try (IndexStore source = Databases.openExisting(from)) {
            copied = StoreCopy.copyChecked(source, to, "migrate");
        }
        long total = 0;
        StringBuilder perState = new StringBuilder();
        for (Record.State state : Record.State.values()) {
            total += copied[state.ordinal()];
            perState.append(perState.length() == 0 ? "" : ", ").append(copied[state.ordinal()]).append(' ')
                    .append(state.name().toLowerCase());
        }
        System.out.printf("migrate: %,d keys (%s) copied to %s and checked%n", total, perState, to);
        return 0;
    }
}
