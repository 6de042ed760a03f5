package minikv.index;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import minikv.cluster.ReplicaName;
import minikv.placement.Placement;

/**
 * Renames a key's replicas between the live name and the unlinked name ({@link ReplicaName}),
 * one WebDAV MOVE (an atomic rename) per volume, within the volume timeout, through the same
 * client as the replica writes: a rename that got no answer has an unknown outcome, and the key
 * waits for it like for a write (see {@link UnknownOutcomes}). Nothing is renamed while an earlier
 * request about the key is unanswered: a hung volume that resumes may carry out that request
 * (an old rename, or a DELETE of the other name) after this one, and undo it or destroy its file.
 */
final class ReplicaRenames {

    private final Volumes volumes;
    private final Predicate<String> knownDown;

    /** @param knownDown whether a location is on a volume that probes say is down */
    ReplicaRenames(Volumes volumes, Predicate<String> knownDown) {
        this.volumes = volumes;
        this.knownDown = knownDown;
    }

    /**
     * Renames the key's replica at every location to the unlinked name ({@code unlinking}) or
     * back to the live name. A replica already under the new name (an earlier attempt renamed
     * it) or under neither (lost: verify reports it) is skipped.
     *
     * @param skipKnownDown true to not even try a volume the probes say is down (it then fails at once)
     * @throws VolumeFailure the first failure, once every location was tried, or at once (nothing
     *     renamed) while a volume has not answered an earlier request about the key
     */
    void rename(Key key, List<String> locations, boolean unlinking, boolean skipKnownDown) throws VolumeFailure {
        volumes.requireKnownOutcomes(key.bytes());
        List<String> tried = new ArrayList<>();
        VolumeFailure down = null;
        for (String location : locations) {
            if (skipKnownDown && knownDown.test(location)) {
                down = down != null ? down : VolumeFailure.down("volume " + Placement.volumeOf(location) + " is down");
            } else {
                tried.add(location);
            }
        }
        volumes.moveAll(tried, key.bytes(), unlinking);
        if (down != null) {
            throw down;
        }
    }
}
