package minikv.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
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
            add(kind, 1);
        }

        void add(KeyReport.Kind kind, long n) {
            counts.get(kind).addAndGet(n);
        }

        long get(KeyReport.Kind kind) {
            return counts.get(kind).get();
        }

        /** Keys counted, of every kind. */
        long total() {
            return counts.values().stream().mapToLong(AtomicLong::get).sum();
        }

        Tally copy() {
            Tally copy = new Tally();
            counts.forEach((kind, n) -> copy.add(kind, n.get()));
            return copy;
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

    /** The order of the walk: a position in UNLINKED keys means every LIVE key is done. */
    private static final List<Record.State> WALK_ORDER = List.of(Record.State.LIVE, Record.State.UNLINKED);
    /** At most this much work is done again after a kill -9 (a clean stop saves where it is). */
    private static final int SAVE_SECONDS = 10;
    /** Keys finished ahead of one that is not, at most (see {@link FinishedUpTo}). */
    private static final int MAX_HELD = 100_000;

    private KeyRun() {
    }

    /**
     * Calls {@code work} for every LIVE, then every UNLINKED key, with its record as the walk read
     * it (null online, see {@link Target.KeyVisitor}), and waits for all of it.
     */
    static Tally overKeys(String step, Target target, int parallel, BiFunction<byte[], Record, KeyReport> work)
            throws IOException, InterruptedException {
        return overKeys(step, target, parallel, WalkCheckpoint.none(), work);
    }

    /**
     * As {@link #overKeys(String, Target, int, BiFunction)}, starting after the position that
     * {@code checkpoint} holds from an earlier run (whose tally it continues), and writing this
     * run's position there every few seconds and when the JVM stops. Once every key is done it
     * removes the checkpoint. A walk stopped by a failure saves its position first.
     */
    static Tally overKeys(String step, Target target, int parallel, WalkCheckpoint checkpoint,
                         BiFunction<byte[], Record, KeyReport> work)
            throws IOException, InterruptedException {
        FinishedUpTo.Saved before = checkpoint.before();
        FinishedUpTo finished = new FinishedUpTo(before, MAX_HELD);
        Tally tally = before.tally().copy();
        Thread saveOnExit = new Thread(() -> checkpoint.save(finished.saved()), step + "-checkpoint-on-exit");
        Runtime.getRuntime().addShutdownHook(saveOnExit);
        ScheduledExecutorService saver = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, step + "-checkpoint");
            t.setDaemon(true);
            return t;
        });
        saver.scheduleWithFixedDelay(() -> checkpoint.save(finished.saved()), SAVE_SECONDS, SAVE_SECONDS, TimeUnit.SECONDS);
        boolean done = false;
        try (Progress progress = Progress.start(step, "keys"); Parallel workers = new Parallel(step, parallel)) {
            progress.resumed(tally.total());
            for (KeyReport.Kind kind : KeyReport.Kind.values()) {
                if (kind != KeyReport.Kind.OK && kind != KeyReport.Kind.ABSENT && tally.get(kind) > 0) {
                    progress.count(label(kind), tally.get(kind));
                }
            }
            Thread counter = new Thread(() -> progress.total(target.count()), step + "-count");
            counter.setDaemon(true);
            counter.start();
            FinishedUpTo.Position from = before.position();
            for (Record.State state : WALK_ORDER) {
                if (from != null && WALK_ORDER.indexOf(state) < WALK_ORDER.indexOf(from.state())) {
                    continue;
                }
                byte[] after = from != null && from.state() == state ? from.key() : null;
                target.keys(state, after, (key, record) -> {
                    FinishedUpTo.Slot slot = finished.started(state, key);
                    workers.submit(() -> {
                        KeyReport.Kind kind = null;
                        try {
                            KeyReport report = work.apply(key, record);
                            record(progress, tally, key, report);
                            kind = report.kind();
                        } finally {
                            if (kind == null) {
                                finished.abandon();
                            } else {
                                finished.finished(slot, kind);
                            }
                        }
                    });
                });
            }
            workers.await();
            done = true;
        } finally {
            saver.shutdownNow();
            saver.awaitTermination(1, TimeUnit.MINUTES);
            if (done) {
                checkpoint.delete();
            } else {
                checkpoint.save(finished.saved());
            }
            try {
                Runtime.getRuntime().removeShutdownHook(saveOnExit);
            } catch (IllegalStateException e) {
                // the JVM is stopping: the hook saves (again) as it goes
            }
        }
        return tally;
    }

    /** Whether a key is still to be erased when the erasing comes to it. */
    @FunctionalInterface
    interface StillTo {
        boolean test(byte[] key) throws IOException;
    }

    /**
     * Erases {@code keys} one at a time under the progress line {@code step}, each only if
     * {@code stillTo} says so when it comes to it (the walk that named them may have passed a
     * write since), and prints the tally after {@code what}; true if some could not be erased.
     */
    static boolean eraseEach(Target target, List<byte[]> keys, StillTo stillTo, String step, String what,
            String keptBecause) throws IOException {
        if (keys.isEmpty()) {
            return false;
        }
        Tally tally = new Tally();
        try (Progress progress = Progress.start(step, "keys")) {
            progress.total(keys.size());
            for (byte[] key : keys) {
                record(progress, tally, key, stillTo.test(key) ? target.erase(key) : KeyReport.ok(keptBecause));
            }
        }
        System.out.println("verify: " + what + ": " + tally.summary());
        return tally.problems();
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
