package minikv.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an interrupted rebuild leaves for the next run: only what was made durable, whatever the file's torn tail. */
class RebuildCheckpointTest {

    private static final String SETTINGS = "volumes=a:1,b:2 subvolumes=10 md5=yes";

    @TempDir
    Path dir;

    @Test
    void aSavedBucketIsFinishedForTheNextRunAndOnlyAfterTheRecordsWereMadeDurable() throws IOException {
        AtomicInteger syncs = new AtomicInteger();
        try (RebuildCheckpoint checkpoint = RebuildCheckpoint.open(dir, SETTINGS)) {
            assertTrue(checkpoint.finishedBefore().isEmpty());
            checkpoint.save(syncs::incrementAndGet);
            assertEquals(0, syncs.get(), "nothing finished: nothing to make durable");
            checkpoint.finished(7, 0);
            checkpoint.finished(65535, 2);
            checkpoint.save(() -> {
                syncs.incrementAndGet();
                checkpoint.finished(9, 0); // while the save makes the others durable: not saved, done again
            });
            assertEquals(1, syncs.get());
        }
        try (RebuildCheckpoint again = RebuildCheckpoint.open(dir, SETTINGS)) {
            BitSet expected = new BitSet();
            expected.set(7);
            expected.set(65535);
            assertEquals(expected, again.finishedBefore());
            assertEquals(2, again.attentionBefore());
        }
    }

    @Test
    void aTornLastLineIsDroppedAndTheFileStaysUsable() throws IOException {
        try (RebuildCheckpoint checkpoint = RebuildCheckpoint.open(dir, SETTINGS)) {
            checkpoint.finished(3, 0);
            checkpoint.save(() -> { });
        }
        Files.writeString(dir.resolve(RebuildCheckpoint.FILE), "b 12", StandardOpenOption.APPEND); // a crash mid-append
        try (RebuildCheckpoint checkpoint = RebuildCheckpoint.open(dir, SETTINGS)) {
            assertEquals(BitSet.valueOf(new long[] {1L << 3}), checkpoint.finishedBefore());
            checkpoint.finished(4, 0);
            checkpoint.save(() -> { });
        }
        String text = Files.readString(dir.resolve(RebuildCheckpoint.FILE), StandardCharsets.UTF_8);
        assertTrue(text.endsWith("\nb 3\nb 4\n"), text);
        assertFalse(text.contains("b 12"), text);
    }

    @Test
    void aCheckpointOfOtherSettingsIsRefusedAndKept() throws IOException {
        try (RebuildCheckpoint checkpoint = RebuildCheckpoint.open(dir, SETTINGS)) {
            checkpoint.finished(1, 0);
            checkpoint.save(() -> { });
        }
        Databases.ToolFailure refused = assertThrows(Databases.ToolFailure.class,
                () -> RebuildCheckpoint.open(dir, "volumes=a:1 subvolumes=10 md5=yes"));
        assertTrue(refused.getMessage().contains("was left by a rebuild with other settings (" + SETTINGS), refused.getMessage());
        assertTrue(refused.getMessage().contains("remove " + dir + " to start over"), refused.getMessage());
        try (RebuildCheckpoint kept = RebuildCheckpoint.open(dir, SETTINGS)) {
            assertEquals(1, kept.finishedBefore().cardinality());
        }
    }

    @Test
    void aLineThatIsNotACheckpointsIsAClearError() throws IOException {
        Files.writeString(dir.resolve(RebuildCheckpoint.FILE), "minikv rebuild checkpoint 1 " + SETTINGS + "\nb 70000\n");
        Databases.ToolFailure refused = assertThrows(Databases.ToolFailure.class, () -> RebuildCheckpoint.open(dir, SETTINGS));
        assertTrue(refused.getMessage().contains("not a checkpoint line: b 70000"), refused.getMessage());
    }
}
