package minikv.index;

import minikv.cluster.ReplicaName;
import minikv.placement.Placement;
import minikv.security.LinkSigner;

/**
 * The URL a read is redirected to: the replica's plain URL, or with {@code --signed-reads} the
 * same URL signed to expire after {@code --link-ttl}. Runs on the IO thread for every redirect.
 */
final class ReplicaLinks {

    /** Null for plain links. */
    private final LinkSigner signer;

    private ReplicaLinks(LinkSigner signer) {
        this.signer = signer;
    }

    static ReplicaLinks plain() {
        return new ReplicaLinks(null);
    }

    static ReplicaLinks signed(LinkSigner signer) {
        return new ReplicaLinks(signer);
    }

    /** The link to the key's replica at {@code location}. */
    String to(String location, byte[] key) {
        String url = ReplicaName.url(location, key, false);
        return signer == null ? url : url + signer.query(Placement.replicaPath(location, key));
    }
}
