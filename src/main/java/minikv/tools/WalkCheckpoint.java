package minikv.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import minikv.cluster.KeyReport;
import minikv.store.Record;
import minikv.tools.FinishedUpTo.Position;
import minikv.tools.FinishedUpTo.Saved;

/**
 * Where a walk over every key (verify's) stopped, kept in {@code $TMPDIR/minikv-<step>-<hash of
 * the settings>} so that the same command run again resumes after the last key finished with
 * all before it, rather than from the first key.
 *
 * <p>The file is text, replaced whole by a rename each time: the settings' digest, the position
 * ({@code after STATE HEXKEY}) and the tally of the keys up to it ({@code counted KIND N}). A
 * kill mid-save leaves the file before it, which only means a few seconds' keys are done again.
 * The settings are all the arguments a key's result depends on, so a walk of another index, of
 * other volumes or of another mode never takes this one's place.
 */
final class WalkCheckpoint {

    private static final String HEADER = "minikv walk checkpoint 1";
    /** Key names are no one else's business. */
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final WalkCheckpoint NONE = new WalkCheckpoint(null, "", new Saved(null, new KeyRun.Tally()), null);

    private final Path file; // null: nothing is kept
    private final String settings;
    private final Saved before;
    private final Instant savedAt;
    private boolean deleted; // guarded by this

    private WalkCheckpoint(Path file, String settings, Saved before, Instant savedAt) {
        this.file = file;
        this.settings = settings;
        this.before = before;
        this.savedAt = savedAt;
    }

    /** A walk that always starts from the first key, and keeps nothing. */
    static WalkCheckpoint none() {
        return NONE;
    }

    /** The checkpoint of {@code step} with {@code settings} in the temp directory, empty if there is none. */
    static WalkCheckpoint open(String step, String settings) {
        return open(Tools.tempPathFor(step, settings), settings);
    }

    /**
     * @throws Databases.ToolFailure if {@code file} cannot be read, or is not a checkpoint of {@code settings}
     */
    static WalkCheckpoint open(Path file, String settings) {
        if (!Files.exists(file)) {
            return new WalkCheckpoint(file, settings, new Saved(null, new KeyRun.Tally()), null);
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.size() < 2 || !lines.get(0).equals(HEADER) || !lines.get(1).equals("settings " + Tools.sha256Hex(settings))) {
                throw new IOException("it is not a checkpoint of this walk");
            }
            Position position = null;
            KeyRun.Tally tally = new KeyRun.Tally();
            for (String line : lines.subList(2, lines.size())) {
                String[] words = line.split(" ");
                if (words.length == 3 && words[0].equals("after")) {
                    position = new Position(Record.State.valueOf(words[1]), HexFormat.of().parseHex(words[2]));
                } else if (words.length == 3 && words[0].equals("counted")) {
                    tally.add(KeyReport.Kind.valueOf(words[1].toUpperCase(Locale.ROOT)), Long.parseLong(words[2]));
                } else {
                    throw new IOException("not a checkpoint line: " + line);
                }
            }
            return new WalkCheckpoint(file, settings, new Saved(position, tally), Files.getLastModifiedTime(file).toInstant());
        } catch (IOException | IllegalArgumentException e) {
            throw new Databases.ToolFailure("cannot use the checkpoint " + file + ": " + e.getMessage()
                    + "; remove it to start over");
        }
    }

    /** How far the runs before this one got; an empty position when none did. */
    Saved before() {
        return before;
    }

    /** True when an earlier run's position is there to resume from. */
    boolean resuming() {
        return before.position() != null;
    }

    /** When the run this one resumes last saved its position. */
    Instant savedAt() {
        return savedAt;
    }

    Path file() {
        return file;
    }

    /** Writes {@code saved} down in place of what was there; does nothing once the walk is done. */
    synchronized void save(Saved saved) {
        if (file == null || deleted || saved.position() == null) {
            return;
        }
        StringBuilder text = new StringBuilder(HEADER).append('\n').append("settings ").append(Tools.sha256Hex(settings)).append('\n');
        Position at = saved.position();
        text.append("after ").append(at.state()).append(' ').append(HexFormat.of().formatHex(at.key())).append('\n');
        for (KeyReport.Kind kind : KeyReport.Kind.values()) {
            long n = saved.tally().get(kind);
            if (n > 0) {
                text.append("counted ").append(kind.name().toLowerCase(Locale.ROOT)).append(' ').append(n).append('\n');
            }
        }
        Path next = file.resolveSibling(file.getFileName() + ".next");
        try {
            Files.deleteIfExists(next);
            try (SeekableByteChannel out = Files.newByteChannel(next, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, StandardOpenOption.SYNC), OWNER_ONLY)) {
                out.write(ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
            }
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new Databases.ToolFailure("cannot write the checkpoint " + file + ": " + e.getMessage());
        }
    }

    /** The walk is done: the next run starts from the first key. */
    synchronized void delete() {
        deleted = true;
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new Databases.ToolFailure("cannot remove the checkpoint " + file + ": " + e.getMessage());
        }
    }
}
