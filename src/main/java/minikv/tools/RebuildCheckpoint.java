package minikv.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.List;

/**
 * The buckets a rebuild has finished, kept in its work directory so that a rebuild interrupted
 * (killed, a volume down) resumes where it stopped when run again.
 *
 * <p>The file is text: a first line naming the settings the records depend on, then {@code b N}
 * for each finished bucket and {@code a N} for keys to look at found in them. Lines are added
 * only after {@link #save}'s caller has made those buckets' records durable, so the file never
 * claims a bucket the index lacks. A bucket in flight when the rebuild died is crawled again: its
 * records are written again, to the same values. A torn last line (a crash mid-append) is
 * ignored, which only means more is crawled again.
 */
final class RebuildCheckpoint implements AutoCloseable {

    static final String FILE = "rebuild-checkpoint";
    private static final String HEADER = "minikv rebuild checkpoint 1 ";

    private final Path file;
    private final FileChannel out;
    private final BitSet finishedBefore;
    private final long attentionBefore;
    private BitSet pending = new BitSet(); // guarded by this
    private long pendingAttention; // guarded by this

    private RebuildCheckpoint(Path file, FileChannel out, BitSet finishedBefore, long attentionBefore) {
        this.file = file;
        this.out = out;
        this.finishedBefore = finishedBefore;
        this.attentionBefore = attentionBefore;
    }

    /** True if {@code dir} holds the checkpoint of an interrupted rebuild. */
    static boolean existsIn(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE));
    }

    /**
     * Opens the checkpoint in {@code dir}, starting an empty one if there is none.
     *
     * @throws Databases.ToolFailure if it was written by a rebuild with other {@code settings}, or cannot be read or written
     */
    static RebuildCheckpoint open(Path dir, String settings) {
        Path file = dir.resolve(FILE);
        try {
            byte[] bytes = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
            int whole = bytes.length; // what precedes a torn last line
            while (whole > 0 && bytes[whole - 1] != '\n') {
                whole--;
            }
            List<String> lines = new String(bytes, 0, whole, StandardCharsets.UTF_8).lines().toList();
            BitSet finished = new BitSet(Crawler.BUCKETS);
            long attention = 0;
            if (!lines.isEmpty() && !lines.get(0).equals(HEADER + settings)) {
                throw new Databases.ToolFailure(dir + " was left by a rebuild with other settings ("
                        + lines.get(0).replace(HEADER, "") + "; now " + settings
                        + "): run that rebuild again to finish it, or remove " + dir + " to start over");
            }
            for (String line : lines.isEmpty() ? lines : lines.subList(1, lines.size())) {
                long n = Long.parseLong(line.substring(2));
                if (line.startsWith("b ") && n >= 0 && n < Crawler.BUCKETS) {
                    finished.set((int) n);
                } else if (line.startsWith("a ")) {
                    attention += n;
                } else {
                    throw new IOException("not a checkpoint line: " + line);
                }
            }
            FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            out.truncate(whole);
            out.position(whole);
            if (whole == 0) {
                out.write(ByteBuffer.wrap((HEADER + settings + "\n").getBytes(StandardCharsets.UTF_8)));
                out.force(true);
            }
            return new RebuildCheckpoint(file, out, finished, attention);
        } catch (IOException | NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new Databases.ToolFailure("cannot use the checkpoint " + file + ": " + e.getMessage()
                    + "; remove " + dir + " to start over");
        }
    }

    /** The buckets finished by the runs before this one; the crawl skips them. */
    BitSet finishedBefore() {
        return (BitSet) finishedBefore.clone();
    }

    /** Keys to look at that the runs before this one found (and printed). */
    long attentionBefore() {
        return attentionBefore;
    }

    /** {@code bucket}'s records are all committed; {@code attention} of its keys were named. */
    synchronized void finished(int bucket, long attention) {
        pending.set(bucket);
        pendingAttention += attention;
    }

    /**
     * Writes down the buckets finished since the last save. {@code makeDurable} runs first and
     * must make every record committed so far durable.
     */
    void save(Runnable makeDurable) {
        BitSet buckets;
        long attention;
        synchronized (this) {
            buckets = pending;
            attention = pendingAttention;
            pending = new BitSet();
            pendingAttention = 0;
        }
        if (buckets.isEmpty() && attention == 0) {
            return;
        }
        makeDurable.run();
        StringBuilder lines = new StringBuilder();
        buckets.stream().forEach(b -> lines.append("b ").append(b).append('\n'));
        if (attention > 0) {
            lines.append("a ").append(attention).append('\n');
        }
        synchronized (out) {
            try {
                out.write(ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8)));
                out.force(false);
            } catch (IOException e) {
                throw new Databases.ToolFailure("cannot write the checkpoint " + file + ": " + e.getMessage());
            }
        }
    }

    /** Removes the file: the rebuild is done, and its index must not carry it. */
    void delete() throws IOException {
        close();
        Files.deleteIfExists(file);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
