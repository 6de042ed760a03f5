package minikv.store;

import jetbrains.exodus.env.Environment;
import jetbrains.exodus.env.EnvironmentImpl;

/**
 * The one place the store reaches into Xodus internals: forcing its log to disk for the
 * commits made so far, beside the writer's next commits rather than under its commit lock.
 * Xodus's public API syncs only in step with commits ({@code setLogDurableWrite}), which
 * would make every commit wait for a sync. {@code XodusLogSyncTest} fails when an upgrade
 * moves what this relies on.
 *
 * <p>Why it is safe: each commit has written its pages to the log's current file before it is
 * handed to the syncer, the log's sync forces that file, and Xodus syncs a file before it moves
 * on to the next; so when the writer has moved on meanwhile, the file that held these commits is
 * synced already. If the log's sync fails, a sync in step with commits decides.
 */
final class XodusLogSync implements Runnable {

    private final EnvironmentImpl env;
    private long fallbacks;

    /** @throws IllegalStateException if {@code env} is not the implementation this was written for */
    XodusLogSync(Environment env) {
        if (!(env instanceof EnvironmentImpl impl)) {
            throw new IllegalStateException("unexpected Xodus environment " + env.getClass().getName()
                    + ": the index store's sync needs " + EnvironmentImpl.class.getName());
        }
        this.env = impl;
    }

    @Override
    public void run() {
        try {
            env.getLog().sync();
        } catch (RuntimeException e) {
            fallbacks++;
            env.flushAndSync();
        }
    }

    /** How many syncs needed the fallback (for the test: none should). Called from the syncer only. */
    long fallbacks() {
        return fallbacks;
    }
}
