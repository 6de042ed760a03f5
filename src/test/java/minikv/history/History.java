package minikv.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A recorded history of client operations on minikv keys, and the checker that says whether it
 * is legal for minikv's model: a key is written once (PUT 201) until it is deleted, UNLINK hides
 * its value until RELINK, and values are unique (each names its writer), so a value read tells
 * which PUT wrote it. Times are each operation's invocation and completion (nanoTime); an
 * operation with no answer (a timeout, a refused connection, the index killed) is of unknown
 * outcome: it may have taken effect at any time after its invocation. An answer is definite:
 * a PUT answered anything but 201 (a 5xx included) wrote nothing that may ever be read.
 *
 * <p>The rules, each conservative (an anomaly is reported only when no order of the concurrent
 * operations explains the read):
 * <ol>
 *   <li>a read returns only a value some PUT was sent, and never one whose PUT was answered
 *       with a failure;</li>
 *   <li>no acknowledged write is lost: a read that begins after a PUT's 201 returns that PUT's
 *       value (of the last such PUT), unless a DELETE or UNLINK of the key may have taken effect
 *       in between;</li>
 *   <li>a value is never read once a DELETE (204) that began after its PUT's 201 has completed;</li>
 *   <li>a value is not read once an UNLINK (204) that began after its PUT's 201 has completed,
 *       unless a RELINK may have taken effect after the UNLINK began (one sent just before the
 *       UNLINK may be served just after it) and before the read ended.</li>
 * </ol>
 */
public final class History {

    public enum Type { PUT, GET, DELETE, UNLINK, RELINK }

    /** What a GET saw: a value, or that the key was absent; null result when unknown. */
    public static final String ABSENT = "<absent>";

    /**
     * One operation. For a PUT, {@code value} is what it sent; for a GET, what it read (a value,
     * {@link #ABSENT}, or null if unknown). {@code status} is the HTTP status, or -1 if none came.
     */
    public record Op(int client, String key, Type type, String value, long invoked, long completed, int status) {
        /** No answer came: it may have taken effect at any time after its invocation. */
        boolean unknown() {
            return status < 0;
        }

        /** When it may have taken effect at the latest: never, for one that surely failed. */
        long latestEffect() {
            return unknown() ? Long.MAX_VALUE : completed;
        }

        @Override
        public String toString() {
            return String.format("client %d %s %s%s -> %s [%.3f s, %.3f s]", client, type, key,
                    type == Type.PUT || type == Type.GET ? " " + value : "", status < 0 ? "no answer" : status,
                    invoked / 1e9, completed == Long.MAX_VALUE ? Double.NaN : completed / 1e9);
        }
    }

    private final List<Op> ops = new ArrayList<>();

    public synchronized void add(Op op) {
        ops.add(op);
    }

    public synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    /** The anomalies, each with the operations that show it; empty for a legal history. */
    public synchronized List<String> anomalies() {
        List<String> found = new ArrayList<>();
        Map<String, List<Op>> byKey = new HashMap<>();
        ops.forEach(op -> byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op));
        byKey.values().forEach(sameKey -> check(sameKey, found));
        return found;
    }

    /** The rules on one key's operations. */
    private static void check(List<Op> sameKey, List<String> found) {
        Map<String, Op> writers = new HashMap<>();
        List<Op> acknowledged = new ArrayList<>(); // PUTs answered 201, by completion
        List<Op> removals = new ArrayList<>(); // DELETEs and UNLINKs, whatever their answer
        for (Op op : sameKey) {
            if (op.type() == Type.PUT) {
                writers.put(op.value(), op);
                if (op.status() == 201) {
                    acknowledged.add(op);
                }
            } else if (op.type() == Type.DELETE || op.type() == Type.UNLINK) {
                removals.add(op);
            }
        }
        acknowledged.sort(Comparator.comparingLong(Op::completed));
        List<Op> relinks = sameKey.stream().filter(op -> op.type() == Type.RELINK).toList();
        for (Op read : sameKey) {
            if (read.type() != Type.GET || read.value() == null) {
                continue;
            }
            if (!read.value().equals(ABSENT)) {
                Op writer = writers.get(read.value());
                if (writer == null || writer.invoked() > read.completed()) {
                    found.add("read a value never written: " + read);
                    continue;
                }
                if (writer.status() != 201 && !writer.unknown()) {
                    found.add("read the value of a PUT that failed: " + writer + "; then " + read);
                }
                if (writer.status() == 201) {
                    for (Op d : removals) {
                        if (d.status() != 204 || d.invoked() < writer.completed() || d.completed() > read.invoked()) {
                            continue;
                        }
                        if (d.type() == Type.DELETE) {
                            found.add("read a deleted value: " + writer + "; then " + d + "; then " + read);
                        } else if (relinks.stream().noneMatch(r -> r.latestEffect() > d.invoked() && r.invoked() < read.completed())) {
                            found.add("read an unlinked value: " + writer + "; then " + d + "; then " + read);
                        }
                    }
                }
            }
            Op last = lastAcknowledgedBefore(acknowledged, read.invoked());
            if (last != null && !read.value().equals(last.value()) && removals.stream().noneMatch(d ->
                    d.invoked() < read.completed() && d.latestEffect() > last.invoked())) {
                found.add("lost an acknowledged write: " + last + "; then " + read);
            }
        }
    }

    /** The PUT answered 201 last before {@code time}, or null. */
    private static Op lastAcknowledgedBefore(List<Op> acknowledged, long time) {
        int low = 0;
        int high = acknowledged.size();
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (acknowledged.get(middle).completed() < time) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low == 0 ? null : acknowledged.get(low - 1);
    }
}
