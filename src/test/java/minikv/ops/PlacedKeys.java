package minikv.ops;

import java.util.stream.IntStream;
import minikv.placement.Placement;
import minikv.testing.Cluster;

/** Keys chosen by where the cluster places them, for tests about one particular volume. */
final class PlacedKeys {

    private PlacedKeys() {
    }

    /** The first of {@code prefix0}, {@code prefix1}… whose placement includes {@code volume} (or, if not {@code on}, avoids it). */
    static String find(Cluster cluster, String prefix, String volume, boolean on) {
        return IntStream.range(0, 1000).mapToObj(i -> prefix + i)
                .filter(k -> cluster.locations(k).stream().anyMatch(l -> Placement.volumeOf(l).equals(volume)) == on)
                .findFirst().orElseThrow(() -> new IllegalStateException("no key " + (on ? "on " : "off ") + volume));
    }
}
