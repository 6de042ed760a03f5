package minikv.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * What the index knows about one key: its state, the locations ({@code host:port/svXX}) of its
 * replicas and, when computed, the md5 of its value. Immutable and free of I/O.
 *
 * <p>A PENDING record may also carry the UNLINKED record that its write replaces
 * ({@link #replacing}): if the write fails, that record is restored rather than the key erased,
 * since the write never touches the unlinked value's files. Once the write is done, the LIVE
 * record keeps carrying it until those files are deleted, so that a crash or a volume failure
 * before then leaves them for the settling to delete rather than as strays.
 *
 * <p>A LIVE record may carry the {@link #next} record of a write that replaces its value (S3's
 * PutObject over an existing object): the new value goes to each replica's unlinked name, which
 * a LIVE key's files never use, and once all of it is there ({@link #nextComplete}) each replica
 * is renamed over the live name, atomically, and the next record becomes the record. Until it is
 * complete a failure rolls back to this record, untouched; once it is, recovery rolls forward.
 *
 * <p>A record may also know its value's {@link Details}: size, time written and stored headers.
 *
 * <p>Encoding (all integers big-endian):
 * <pre>
 *   u8 version | u8 state | u8 md5 length (0 or 16) | md5 bytes
 *   | u8 location count (1..255) | per location: u16 length, UTF-8 bytes
 *   | version 2: the replaced record, encoded as version 1
 *   | version 3: i64 size (-1 unknown) | i64 modified (epoch ms) | u8 header count
 *                | per header: u16 length, UTF-8 name | u16 length, UTF-8 value
 *                | u8 0, or u8 1 and the replaced record, or u8 2 (3 once complete) and the
 *                  next record (any version)
 * </pre>
 * Version 1 (or 2, with a replaced record) is written when the details are unknown, so
 * records without them keep their old bytes. The state comes second so that listings can
 * filter on it without decoding the rest.
 */
public final class Record {

    /** The life of a key; only LIVE keys are served. */
    public enum State {
        /** Replicas are being written; they may or may not exist yet. */
        PENDING(1),
        /** Every replica is written; the value is served. */
        LIVE(2),
        /** Virtually deleted: replicas kept, value not served, RELINK brings it back. */
        UNLINKED(3),
        /** Replicas are being removed; the record goes once none is left. */
        DELETING(4),
        /**
         * UNLINK or RELINK is renaming the replicas (between the live and the unlinked name). The
         * record is held, like PENDING and DELETING, so no other request (or index process)
         * touches the key's files meanwhile; if the change is left unfinished, settling renames
         * every replica to the unlinked name and records the key UNLINKED.
         */
        RENAMING(5);

        final byte code;

        State(int code) {
            this.code = (byte) code;
        }

        /** PENDING, DELETING or RENAMING: a change under way, or left unfinished. */
        public boolean unsettled() {
            return this == PENDING || this == DELETING || this == RENAMING;
        }

        /**
         * The state a listing counts this one as: a RENAMING key only ever settles UNLINKED (or,
         * a RELINK once done, LIVE), so until then it is listed as UNLINKED.
         */
        public State listedAs() {
            return this == RENAMING ? UNLINKED : this;
        }

        static State of(byte code) {
            for (State s : values()) {
                if (s.code == code) {
                    return s;
                }
            }
            throw new IllegalArgumentException("corrupt record: unknown state " + code);
        }
    }

    static final byte VERSION = 1;
    /** A PENDING record that carries the UNLINKED record it replaces. */
    static final byte VERSION_REPLACING = 2;
    /** A record that knows its value's details. */
    static final byte VERSION_DETAILS = 3;
    private static final int MAX_HEADERS = 255;
    private static final int MD5_BYTES = 16;
    private static final int MAX_LOCATIONS = 255;
    private static final int MAX_LOCATION_BYTES = 0xffff;

    private final State state;
    private final List<String> locations;
    private final byte[] md5;
    /** For a PENDING write over an unlinked value: that value's record; else null. */
    private final Record replacing;
    private final Details details;
    /** For a LIVE key whose value is being replaced: the record it will have; else null. */
    private final Record next;
    private final boolean nextComplete;

    private Record(State state, List<String> locations, byte[] md5) {
        this(state, locations, md5, null, Details.UNKNOWN);
    }

    private Record(State state, List<String> locations, byte[] md5, Record replacing, Details details) {
        this(state, locations, md5, replacing, details, null, false);
    }

    private Record(State state, List<String> locations, byte[] md5, Record replacing, Details details, Record next,
            boolean nextComplete) {
        if (locations.isEmpty() || locations.size() > MAX_LOCATIONS) {
            throw new IllegalArgumentException("a record needs 1 to " + MAX_LOCATIONS + " locations, not " + locations.size());
        }
        if (md5 != null && md5.length != MD5_BYTES) {
            throw new IllegalArgumentException("an md5 has 16 bytes, not " + md5.length);
        }
        this.state = state;
        this.locations = List.copyOf(locations);
        this.md5 = md5 == null ? null : md5.clone();
        if (replacing != null && (!replaces(state) || replacing.state != State.UNLINKED)) {
            throw new IllegalArgumentException("only a PENDING or LIVE record replaces, and only an UNLINKED one");
        }
        this.replacing = replacing;
        if (details.headers().size() > MAX_HEADERS) {
            throw new IllegalArgumentException("a record holds at most " + MAX_HEADERS + " headers");
        }
        this.details = details;
        if (next != null && (state != State.LIVE || replacing != null || next.state != State.LIVE || next.next != null
                || next.replacing != null || !next.locations.equals(locations))) {
            throw new IllegalArgumentException("only a LIVE record has a next one, LIVE at the same locations");
        }
        this.next = next;
        this.nextComplete = next != null && nextComplete;
    }

    /** Replicas may be on their way to these locations. */
    public static Record pending(List<String> locations) {
        return new Record(State.PENDING, locations, null);
    }

    /**
     * Replicas may be on their way to these locations, under the live name, replacing the
     * unlinked value {@code unlinked}, whose files (under the unlinked name) stay untouched.
     */
    public static Record pendingOver(List<String> locations, Record unlinked) {
        return new Record(State.PENDING, locations, null, unlinked, Details.UNKNOWN);
    }

    private static boolean replaces(State state) {
        return state == State.PENDING || state == State.LIVE;
    }

    /** Every replica is written; {@code md5} may be null when md5s are off. */
    public static Record live(List<String> locations, byte[] md5) {
        return new Record(State.LIVE, locations, md5);
    }

    /**
     * This LIVE record, written over the unlinked value {@code unlinked}, whose files are yet to
     * be deleted: until {@link #withState}{@code (LIVE)} drops it, the key is unsettled.
     */
    public Record withLeftover(Record unlinked) {
        if (state != State.LIVE) {
            throw new IllegalArgumentException("only a LIVE record has a leftover unlinked value, not " + state);
        }
        return new Record(state, locations, md5, unlinked, details);
    }

    /** The same locations, md5 and details in another state (a replaced or next record is dropped). */
    public Record withState(State newState) {
        return new Record(newState, locations, md5, null, details);
    }

    /** The same state, md5 and details, with the value at {@code newLocations} (a replaced or next record is dropped). */
    public Record withLocations(List<String> newLocations) {
        return new Record(state, newLocations, md5, null, details);
    }

    /** The same record, knowing its value's {@code newDetails}. */
    public Record withDetails(Details newDetails) {
        return new Record(state, locations, md5, replacing, newDetails);
    }

    public Details details() {
        return details;
    }

    /** This LIVE record, its value being replaced by {@code nextRecord}'s; {@code complete} once all of it is written. */
    public Record withNext(Record nextRecord, boolean complete) {
        return new Record(state, locations, md5, replacing, details, nextRecord, complete);
    }

    /** The record a replace in progress will leave, or null. */
    public Record next() {
        return next;
    }

    /** True once every replica of {@link #next}'s value is written: the replace rolls forward. */
    public boolean nextComplete() {
        return nextComplete;
    }

    /**
     * PENDING, DELETING, RENAMING, in the middle of a replace or with a leftover unlinked value:
     * a change under way, or left unfinished.
     */
    public boolean unsettled() {
        return state.unsettled() || next != null || replacing != null;
    }

    /**
     * For a PENDING write over an unlinked value, that value's record, which rolling the write
     * back restores (deleting only the live-name files at this record's locations); for a LIVE
     * record, the unlinked value it was written over, whose files are yet to be deleted; else null.
     */
    public Record replacing() {
        return replacing;
    }

    public State state() {
        return state;
    }

    public List<String> locations() {
        return locations;
    }

    /** The md5 of the value as lower-case hex, or null when it was not computed. */
    public String md5Hex() {
        return md5 == null ? null : HexFormat.of().formatHex(md5);
    }

    public byte[] encode() {
        Record nested = replacing != null ? replacing : next;
        byte[] replaced = nested == null ? new byte[0] : nested.encode();
        boolean detailed = details.known() || next != null;
        byte[][] names = new byte[locations.size()][];
        byte[][] headers = detailed ? headerBytes() : new byte[0][];
        int size = 4 + (md5 == null ? 0 : MD5_BYTES) + replaced.length + (detailed ? 8 + 8 + 1 + 1 : 0);
        for (byte[] header : headers) {
            size += 2 + header.length;
        }
        for (int i = 0; i < names.length; i++) {
            names[i] = locations.get(i).getBytes(StandardCharsets.UTF_8);
            if (names[i].length > MAX_LOCATION_BYTES) {
                throw new IllegalArgumentException("location too long: " + locations.get(i));
            }
            size += 2 + names[i].length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(detailed ? VERSION_DETAILS : replacing == null ? VERSION : VERSION_REPLACING).put(state.code);
        if (md5 == null) {
            out.put((byte) 0);
        } else {
            out.put((byte) MD5_BYTES).put(md5);
        }
        out.put((byte) names.length);
        for (byte[] name : names) {
            out.putShort((short) name.length).put(name);
        }
        if (detailed) {
            out.putLong(details.size()).putLong(details.modifiedMillis()).put((byte) details.headers().size());
            for (byte[] header : headers) {
                out.putShort((short) header.length).put(header);
            }
            out.put((byte) (replacing != null ? 1 : next == null ? 0 : nextComplete ? 3 : 2));
        }
        return out.put(replaced).array();
    }

    /** Each header's name, then its value, as UTF-8. */
    private byte[][] headerBytes() {
        byte[][] out = new byte[details.headers().size() * 2][];
        int i = 0;
        for (var header : details.headers().entrySet()) {
            for (String text : new String[] {header.getKey(), header.getValue()}) {
                out[i] = text.getBytes(StandardCharsets.UTF_8);
                if (out[i].length > MAX_LOCATION_BYTES) {
                    throw new IllegalArgumentException("header too long: " + header.getKey());
                }
                i++;
            }
        }
        return out;
    }

    /** The state alone, read from the first two bytes; for scans that filter by state. */
    public static State stateOf(byte[] bytes, int length) {
        return stateAt(bytes, 0, length);
    }

    private static State stateAt(byte[] bytes, int offset, int length) {
        byte version = length < 2 ? 0 : bytes[offset];
        if (version != VERSION && version != VERSION_REPLACING && version != VERSION_DETAILS) {
            throw new IllegalArgumentException("corrupt record: " + (length < 2 ? "too short" : "unknown version " + version));
        }
        return State.of(bytes[offset + 1]);
    }

    /**
     * Decodes the first {@code length} bytes of {@code bytes}.
     *
     * @throws IllegalArgumentException if they are not exactly one record
     */
    public static Record decode(byte[] bytes, int length) {
        return decode(bytes, 0, length);
    }

    private static Record decode(byte[] bytes, int offset, int length) {
        State state = stateAt(bytes, offset, length);
        byte version = bytes[offset];
        boolean replaces = version == VERSION_REPLACING;
        ByteBuffer in = ByteBuffer.wrap(bytes, offset + 2, length - 2);
        try {
            int md5Length = Byte.toUnsignedInt(in.get());
            if (md5Length != 0 && md5Length != MD5_BYTES) {
                throw new IllegalArgumentException("corrupt record: md5 of " + md5Length + " bytes");
            }
            byte[] md5 = null;
            if (md5Length == MD5_BYTES) {
                md5 = new byte[MD5_BYTES];
                in.get(md5);
            }
            int count = Byte.toUnsignedInt(in.get());
            if (count == 0) {
                throw new IllegalArgumentException("corrupt record: no location");
            }
            List<String> locations = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                locations.add(utf8Field(in));
            }
            Details details = Details.UNKNOWN;
            byte flag = 0;
            if (version == VERSION_DETAILS) {
                long size = in.getLong();
                long modified = in.getLong();
                int headers = Byte.toUnsignedInt(in.get());
                java.util.Map<String, String> named = new java.util.TreeMap<>();
                for (int i = 0; i < headers; i++) {
                    named.put(utf8Field(in), utf8Field(in));
                }
                try {
                    details = new Details(size, modified, named);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("corrupt record: " + e.getMessage(), e);
                }
                flag = in.get();
                if (flag < 0 || flag > 3) {
                    throw new IllegalArgumentException("corrupt record: nested record flag " + flag);
                }
                replaces = flag == 1;
            }
            if (flag >= 2) {
                Record next = decode(bytes, in.position(), in.remaining());
                try {
                    return new Record(state, locations, md5, null, details, next, flag == 3);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("corrupt record: " + e.getMessage(), e);
                }
            }
            Record replaced = null;
            if (replaces) {
                replaced = decode(bytes, in.position(), in.remaining());
                if (!replaces(state) || replaced.state != State.UNLINKED || replaced.replacing != null) {
                    throw new IllegalArgumentException("corrupt record: only a PENDING or LIVE record replaces, an UNLINKED one");
                }
            } else if (in.hasRemaining()) {
                throw new IllegalArgumentException("corrupt record: " + in.remaining() + " bytes after the end");
            }
            return new Record(state, locations, md5, replaced, details);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("corrupt record: truncated", e);
        }
    }

    private static String utf8Field(ByteBuffer in) {
        byte[] field = new byte[Short.toUnsignedInt(in.getShort())];
        in.get(field);
        return strictUtf8(field);
    }

    private static String strictUtf8(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        // Lenient decoding replaces bad sequences, so a strict text encodes back to the same bytes.
        if (!Arrays.equals(text.getBytes(StandardCharsets.UTF_8), bytes)) {
            throw new IllegalArgumentException("corrupt record: a location or header is not UTF-8");
        }
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Record r && state == r.state && locations.equals(r.locations) && Arrays.equals(md5, r.md5)
                && Objects.equals(replacing, r.replacing) && details.equals(r.details) && Objects.equals(next, r.next)
                && nextComplete == r.nextComplete;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * state.hashCode() + locations.hashCode()) + Arrays.hashCode(md5) + Objects.hashCode(replacing) + details.hashCode()
                + Objects.hashCode(next);
    }

    @Override
    public String toString() {
        return state + " " + locations + (md5 == null ? "" : " md5 " + md5Hex())
                + (replacing == null ? "" : " replacing " + replacing) + (details.known() ? " " + details : "")
                + (next == null ? "" : (nextComplete ? " then " : " maybe then ") + next);
    }
}
