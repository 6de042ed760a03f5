package minikv.http;

import java.io.IOException;

/**
 * The whole request may have reached the server, but no answer came: whether it acted on it,
 * or still will, is unknown. It must be neither sent elsewhere nor undone as if it had failed (a
 * DELETE could reach the disk first). The exchange's connection stays open, so that {@link
 * Exchange#outcomeKnownNow} can tell when the server is done with it.
 */
public final class OutcomeUnknown extends IOException {
    OutcomeUnknown(String request, IOException cause) {
        super("no answer to " + request + " after it was sent whole (" + cause.getMessage()
                + "): its outcome is unknown", cause);
    }
}
