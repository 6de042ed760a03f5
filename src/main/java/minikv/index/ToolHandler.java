package minikv.index;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import minikv.cluster.KeyDoctor;
import minikv.cluster.KeyMover;
import minikv.cluster.KeyReport;
import minikv.cluster.ReplicaFile;
import minikv.placement.Placement;

/**
 * REBALANCE, VERIFY and REPAIR /key: the operator tools' work on one key (package
 * {@code minikv.tools}), done by the running index for {@code rebalance --index} and
 * {@code verify --index}. The index does it, not the tool, because only the index can hold the
 * key's claim: no PUT, DELETE, UNLINK or RELINK of the key interleaves, and one that arrives
 * meanwhile gets 409 as with any other write in flight (the tool gets 409 the other way round
 * and retries). Answers 200 with what was done in the {@value KeyReport#HEADER} header.
 *
 * <ul>
 *   <li>{@code REBALANCE /key[?dry-run]}: copies to where placement puts the key, records it, removes old copies.</li>
 *   <li>{@code VERIFY /key[?fast]}: checks every replica (md5, or size only); changes nothing.</li>
 *   <li>{@code REPAIR /key[?fast][&found=LOC...][&unlinked=LOC...]}: replaces bad replicas, settles an
 *       unfinished write or delete; then removes the key's files that a crawl found at {@code LOC}
 *       (live name, or unlinked name) if nothing lists them, on this index's volumes only.</li>
 * </ul>
 */
final class ToolHandler extends KeyChangeHandler {

    private static final HttpString REPORT = new HttpString(KeyReport.HEADER);

    @FunctionalInterface
    interface Work {
        KeyReport run(byte[] key, Map<String, Deque<String>> query);
    }

    private final Eraser eraser;
    private final Work work;

    private ToolHandler(KeyClaims claims, Eraser eraser, Work work) {
        super(claims);
        this.eraser = eraser;
        this.work = work;
    }

    static ToolHandler rebalance(KeyClaims claims, Eraser eraser, KeyMover mover) {
        return new ToolHandler(claims, eraser, (key, query) -> mover.rebalance(key, query.containsKey("dry-run")));
    }

    static ToolHandler verify(KeyClaims claims, Eraser eraser, KeyDoctor doctor) {
        return new ToolHandler(claims, eraser, (key, query) -> doctor.verify(key, query.containsKey("fast")));
    }

    static ToolHandler repair(KeyClaims claims, Eraser eraser, KeyDoctor doctor, Placement placement) {
        Set<String> volumes = Set.copyOf(placement.volumes());
        return new ToolHandler(claims, eraser, (key, query) -> {
            boolean fast = query.containsKey("fast");
            KeyReport repaired = doctor.repair(key, fast);
            List<ReplicaFile> found = new ArrayList<>();
            for (String name : List.of("found", "unlinked")) {
                for (String location : query.getOrDefault(name, new ArrayDeque<>())) {
                    // Only files on this index's own volumes: a tool naming a volume differently
                    // must never get the index to delete what it knows under another name.
                    if (volumes.contains(Placement.volumeOf(location))) {
                        found.add(new ReplicaFile(location, name.equals("unlinked"), -1));
                    }
                }
            }
            if (found.isEmpty() || repaired.kind().problem()) {
                return repaired;
            }
            KeyReport swept = doctor.removeStrays(key, found, fast);
            if (swept.kind() == KeyReport.Kind.OK) {
                return repaired;
            }
            return repaired.kind() == KeyReport.Kind.REPAIRED && swept.kind() == KeyReport.Kind.REPAIRED
                    ? new KeyReport(KeyReport.Kind.REPAIRED, repaired.detail() + "; " + swept.detail()) : swept;
        });
    }

    @Override
    int change(HttpServerExchange exchange, Key key) throws HttpFailure {
        // 503 while a volume may still act on an earlier request about the key (see UnknownOutcomes).
        eraser.requireKnownOutcomes(key);
        exchange.getResponseHeaders().put(REPORT, work.run(key.bytes(), exchange.getQueryParameters()).toHeader());
        return 200;
    }
}
