package minikv.index;

import java.io.IOException;
import java.util.List;
import java.util.function.Predicate;
import minikv.cluster.ReplicaName;
import minikv.cluster.VolumeClient;
import minikv.placement.Placement;

/**
 * Renames a key's replicas between the live name and the unlinked name ({@link ReplicaName}),
 * one WebDAV MOVE (an atomic rename) per volume, within the volume timeout.
 */
final class ReplicaRenames {

    private final VolumeClient volumes;
    private final Predicate<String> knownDown;

    /**
     * @param volumes   renames with it; its timeouts should be the volume timeout, short, so that
     *                  a volume that hangs delays a rename by that much at most
     * @param knownDown whether a location is on a volume that probes say is down
     */
    ReplicaRenames(VolumeClient volumes, Predicate<String> knownDown) {
        this.volumes = volumes;
        this.knownDown = knownDown;
    }

    /**
     * Renames the key's replica at every location to the unlinked name ({@code unlinking}) or
     * back to the live name. A replica already under the new name (an earlier attempt renamed
     * it) or under neither (lost: verify reports it) is skipped.
     *
     * @param skipKnownDown true to not even try a volume the probes say is down (it then fails at once)
     * @throws VolumeFailure the first failure, once every location was tried
     */
    void rename(Key key, List<String> locations, boolean unlinking, boolean skipKnownDown) throws VolumeFailure {
        VolumeFailure first = null;
        for (String location : locations) {
            if (skipKnownDown && knownDown.test(location)) {
                first = first != null ? first : VolumeFailure.down("volume " + Placement.volumeOf(location) + " is down");
                continue;
            }
            try {
                volumes.move(ReplicaName.url(location, key.bytes(), !unlinking),
                        ReplicaName.path(location, key.bytes(), unlinking));
            } catch (VolumeClient.Refused e) {
                first = first != null ? first : VolumeFailure.answered(location, "MOVE", e.status());
            } catch (IOException e) {
                first = first != null ? first : VolumeFailure.unreachable(location, e);
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
