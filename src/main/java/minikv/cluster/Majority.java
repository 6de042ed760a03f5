package minikv.cluster;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The value most replicas agree on, when more than half of them do. Pure. */
public final class Majority {

    private Majority() {
    }

    /**
     * The value held by more than half of the replicas that could be read ({@code null} entries
     * are missing replicas and do not vote); null when they split without a majority. One
     * replica is its own majority: a lone copy is not in conflict with anything.
     */
    public static <T> T of(List<T> values) {
        Map<T, Integer> votes = new HashMap<>();
        int voters = 0;
        for (T value : values) {
            if (value != null) {
                votes.merge(value, 1, Integer::sum);
                voters++;
            }
        }
        for (Map.Entry<T, Integer> vote : votes.entrySet()) {
            if (vote.getValue() * 2 > voters) {
                return vote.getKey();
            }
        }
        return null;
    }

    /** {@link #of} for md5s, compared by content. */
    public static byte[] ofMd5s(List<byte[]> md5s) {
        ByteBuffer winner = of(md5s.stream().map(m -> m == null ? null : ByteBuffer.wrap(m)).toList());
        return winner == null ? null : winner.array();
    }
}
