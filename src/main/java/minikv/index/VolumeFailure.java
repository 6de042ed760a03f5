package minikv.index;

import java.io.IOException;
import java.net.SocketTimeoutException;
import minikv.placement.Placement;

/**
 * A volume did not do what the index asked. The status is what the client gets: 503 when the
 * volume could not be reached or did not answer in time, 502 when it answered with an error.
 */
final class VolumeFailure extends HttpFailure {

    private VolumeFailure(int status, String message, Throwable cause) {
        super(status, message, cause);
    }

    static VolumeFailure unreachable(String location, IOException e) {
        String volume = Placement.volumeOf(location);
        String why = e instanceof SocketTimeoutException ? "timed out" : "unreachable (" + e.getMessage() + ")";
        return new VolumeFailure(503, "volume " + volume + " " + why, e);
    }

    /** The volume is known to be down, or was given up while the request ran. */
    static VolumeFailure down(String reason) {
        return new VolumeFailure(503, reason, null);
    }

    static VolumeFailure answered(String location, String method, int code) {
        String why = code == 403 ? " (it takes writes only with its --secret-file, from its --allow addresses:"
                + " give the index the same --secret-file)" : "";
        return new VolumeFailure(502, "volume " + Placement.volumeOf(location) + " answered " + code + " to " + method
                + why, null);
    }
}
