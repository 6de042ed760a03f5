package minikv.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import minikv.cluster.KeyReport;
import minikv.store.Record;

/**
 * Runs one tool's work over every LIVE and UNLINKED key of a {@link Target}, {@code parallel}
 * keys at a time, with progress, and tallies what the per-key reports say. Reports worth a
 * person's attention (damaged, failed, repaired, planned) are printed with their key, one line
 * each, as they come.
 */
final class KeyRun {

    /** How many keys ended in each kind of report. */
    static final class Tally {
        private final Map<KeyReport.Kind, AtomicLong> counts = new EnumMap<>(KeyReport.Kind.class);

        Tally() {
            for (KeyReport.Kind kind : KeyReport.Kind.values()) {
                counts.put(kind, new AtomicLong());
            }
        }

        void add(KeyReport.Kind kind) {
            counts.get(kind).incrementAndGet();
        }

        long get(KeyReport.Kind kind) {
            return counts.get(kind).get();
        }

        /** True when some key was left damaged or not done. */
        boolean problems() {
            return counts.entrySet().stream().anyMatch(e -> e.getKey().problem() && e.getValue().get() > 0);
        }

        /** "12 ok, 3 damaged": the kinds that occurred. */
        String summary() {
            StringBuilder text = new StringBuilder();
            counts.forEach((kind, n) -> {
                if (n.get() > 0) {
                    text.append(text.length() == 0 ? "" : ", ").append(String.format("%,d %s", n.get(), label(kind)));
                }
            });
            return text.length() == 0 ? "no keys" : text.toString();
        }
    }

    private KeyRun() {
    }

    /** Calls {@code work} for every LIVE, then every UNLINKED key, and waits for all of it. */
    static Tally overKeys(String step, Target target, int parallel, Function<byte[], KeyReport> work)
            throws IOException, InterruptedException {
        Tally tally = new Tally();
        try (Progress progress = Progress.start(step, "keys"); Parallel workers = new Parallel(step, parallel)) {
            Thread counter = new Thread(() -> progress.total(target.count()), step + "-count");
            counter.setDaemon(true);
            counter.start();
            for (Record.State state : List.of(Record.State.LIVE, Record.State.UNLINKED)) {
                target.keys(state, key -> workers.submit(() -> record(progress, tally, key, work.apply(key))));
            }
            workers.await();
        }
        return tally;
    }

    /** Counts a report, and prints it if it is worth a look. */
    static void record(Progress progress, Tally tally, byte[] key, KeyReport report) {
        tally.add(report.kind());
        progress.add(1);
        if (report.kind() != KeyReport.Kind.OK && report.kind() != KeyReport.Kind.ABSENT) {
            progress.count(label(report.kind()));
        }
        if (report.kind() != KeyReport.Kind.OK && report.kind() != KeyReport.Kind.ABSENT && report.kind() != KeyReport.Kind.MOVED) {
            progress.println(label(report.kind()) + " " + new String(key, StandardCharsets.UTF_8)
                    + (report.detail().isEmpty() ? "" : ": " + report.detail()));
        }
    }

    static String label(KeyReport.Kind kind) {
        return switch (kind) {
            case PLANNED -> "to move";
            case ABSENT -> "gone meanwhile";
            default -> kind.name().toLowerCase(Locale.ROOT);
        };
    }
}
