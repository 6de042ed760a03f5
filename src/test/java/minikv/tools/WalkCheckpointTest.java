package minikv.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import minikv.cluster.KeyReport.Kind;
import minikv.store.Record.State;
import minikv.tools.FinishedUpTo.Position;
import minikv.tools.FinishedUpTo.Saved;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalkCheckpointTest {

    private static final String SETTINGS = "--db postgresql://u:secret@localhost/db 127.0.0.1:1 127.0.0.1:2";

    @TempDir
    Path dir;

    private static Saved saved(String key, long ok, long damaged) {
        KeyRun.Tally tally = new KeyRun.Tally();
        tally.add(Kind.OK, ok);
        tally.add(Kind.DAMAGED, damaged);
        return new Saved(new Position(State.UNLINKED, key.getBytes(StandardCharsets.UTF_8)), tally);
    }

    @Test
    void whatIsSavedIsWhatTheNextRunResumesFrom() throws Exception {
        Path file = dir.resolve("cp");
        WalkCheckpoint first = WalkCheckpoint.open(file, SETTINGS);
        assertFalse(first.resuming());
        first.save(saved("/b/ key\n", 7, 1));
        first.save(saved("/c", 9, 2));

        WalkCheckpoint second = WalkCheckpoint.open(file, SETTINGS);
        assertTrue(second.resuming());
        assertEquals(State.UNLINKED, second.before().position().state());
        assertArrayEquals("/c".getBytes(StandardCharsets.UTF_8), second.before().position().key());
        assertEquals(9, second.before().tally().get(Kind.OK));
        assertEquals(2, second.before().tally().get(Kind.DAMAGED));
        String text = Files.readString(file);
        assertFalse(text.contains("secret"), "the settings are kept as a digest:\n" + text);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        second.delete();
        assertFalse(Files.exists(file));
        second.save(saved("/d", 10, 2));
        assertFalse(Files.exists(file), "a walk that is done saves nothing more (a late shutdown hook)");
    }

    @Test
    void anotherWalksOrAnUnreadableCheckpointIsRefusedNotResumed() throws Exception {
        Path file = dir.resolve("cp");
        WalkCheckpoint.open(file, SETTINGS).save(saved("/c", 1, 0));
        Databases.ToolFailure other = assertThrows(Databases.ToolFailure.class, () -> WalkCheckpoint.open(file, SETTINGS + " --fast"));
        assertTrue(other.getMessage().contains("remove it to start over"), other.getMessage());

        Files.writeString(file, Files.readString(file) + "counted ok many\n");
        Databases.ToolFailure torn = assertThrows(Databases.ToolFailure.class, () -> WalkCheckpoint.open(file, SETTINGS));
        assertTrue(torn.getMessage().contains(file.toString()), torn.getMessage());
    }

    @Test
    void eachSettingHasItsOwnFile() {
        assertEquals(Tools.tempPathFor("verify", SETTINGS), Tools.tempPathFor("verify", SETTINGS));
        assertFalse(Tools.tempPathFor("verify", SETTINGS).equals(Tools.tempPathFor("verify", SETTINGS + " --fast")));
    }
}
