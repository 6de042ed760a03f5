package minikv.volume;

import java.util.List;
import java.util.Optional;
import minikv.security.ClusterSecret;

/**
 * Who may use a volume: writers need the cluster secret ({@code --secret-file}) and an allowed
 * address ({@code --allow}); with {@code --signed-reads}, readers need a link the index signed.
 * Unset, anyone who can reach the port may do anything.
 */
record VolumeAccess(Optional<ClusterSecret> secret, List<WriterNetwork> allowedWriters, boolean signedReads) {

    static final VolumeAccess OPEN = new VolumeAccess(Optional.empty(), List.of(), false);

    VolumeAccess {
        allowedWriters = List.copyOf(allowedWriters);
        if (signedReads && secret.isEmpty()) {
            throw new IllegalArgumentException("--signed-reads needs --secret-file: the secret keys the signatures");
        }
    }

    /** What the operator must hear at startup when writes are not limited to the index, if anything. */
    Optional<String> openWritesWarning(int port) {
        if (secret.isPresent()) {
            return Optional.empty();
        }
        String who = allowedWriters.isEmpty() ? "anyone who can reach port " + port
                : "any client at " + String.join(", ", allowedWriters.stream().map(WriterNetwork::cidr).toList());
        return Optional.of("WARNING: no --secret-file: " + who + " can write and delete values on this volume");
    }
}
