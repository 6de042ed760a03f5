package minikv.index;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import minikv.http.HeldBack;
import minikv.ops.Rollbacks;
import minikv.placement.Placement;
import minikv.placement.VolumeHealth;
import minikv.store.Details;
import minikv.store.IndexStore;
import minikv.store.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.channels.ReadTimeoutException;

/**
 * PUT /key: stores a value on all its replicas, all or nothing, and answers 201 only once that
 * is durable. Runs on a worker thread (the body is read with blocking I/O).
 *
 * <ol>
 *   <li>With the key claimed (see {@link KeyChangeHandler}), refuse it if live (403), or while a
 *       volume has not answered an earlier request about it (503, see {@link UnknownOutcomes}).</li>
 *   <li>Read the first bytes: an empty body (411) stores nothing at all.</li>
 *   <li>Record the key PENDING with the locations that may get a replica (and the unlinked
 *       record it replaces) before any volume is touched, by compare-and-set from the record
 *       read (409 if another index process sharing the store changed it): a crash from here on
 *       is rolled back at startup, or by another index process.</li>
 *   <li>Over an unlinked value, finish its UNLINK where this PUT writes: its replicas there get
 *       their unlinked name, which the PUT never touches, so a failed PUT can restore it.</li>
 *   <li>Stream the body to every replica at once through two fixed buffers, computing its md5,
 *       but hold back its last byte.</li>
 *   <li>With the body complete (and its Content-MD5 checked), send the last byte. nginx renames
 *       each replica into place only now, so every failure before this point leaves no file.</li>
 *   <li>Every volume said 201/204: record the key LIVE, durably and only if its record is still
 *       this PUT's, then answer 201. Over an unlinked value, the LIVE record names that value
 *       until its files are deleted, just before the answer (or later, by the settling).</li>
 * </ol>
 * Any failure undoes what was done: after step 6 that means deleting the replicas, once every
 * volume that got the last byte has answered. A failed PUT leaves what was there before it.
 */
final class PutHandler extends KeyChangeHandler {

    private static final Logger log = LoggerFactory.getLogger(PutHandler.class);
    private static final int BUFFER_BYTES = 256 * 1024;

    private final IndexStore store;
    private final Placement placement;
    private final Volumes volumes;
    private final Eraser eraser;
    private final Settler settler;
    private final ReplicaRenames renames;
    private final boolean computeMd5;
    private final Rollbacks rollbacks;

    PutHandler(IndexStore store, Placement placement, Volumes volumes, Eraser eraser, Settler settler, KeyClaims claims,
               ReplicaRenames renames, boolean computeMd5, Rollbacks rollbacks) {
        super(claims);
        this.store = store;
        this.placement = placement;
        this.volumes = volumes;
        this.eraser = eraser;
        this.settler = settler;
        this.renames = renames;
        this.computeMd5 = computeMd5;
        this.rollbacks = rollbacks;
    }

    @Override
    int change(HttpServerExchange exchange, Key key) throws HttpFailure {
        if (key.tooLongToWrite()) {
            throw key.tooLongToWriteFailure("PUT");
        }
        if (Placement.nameEndsInSlash(key.bytes())) {
            throw HttpFailure.badRequest("key " + key + " cannot be stored: its file name on the volumes, "
                    + Base64.getEncoder().encodeToString(key.bytes()) + " (the key in base64, as minikeyvalue lays"
                    + " values out), would end in '/', which no file name can; nothing stored");
        }
        long length = exchange.getRequestContentLength(); // -1 when chunked
        boolean chunked = exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING);
        if (length == 0 || (length < 0 && !chunked)) {
            throw new HttpFailure(411, "a PUT needs a body, with a Content-Length or chunked");
        }
        put(key, new Value(exchange.getInputStream(), length,
                contentMd5(exchange.getRequestHeaders().getFirst(Headers.CONTENT_MD5)), computeMd5, Rules.MINIKEYVALUE,
                Map.of()));
        return 201;
    }

    /**
     * A value to store.
     *
     * @param length      its length, or -1 when unknown (chunked)
     * @param expectedMd5 the md5 it must have (its Content-MD5), or null
     * @param md5     whether to compute its md5 and record it
     * @param rules   minikeyvalue's (an empty value is refused, 411; a live one is kept, 403) or S3's
     *                (an empty value is stored; a live one is replaced)
     * @param headers headers to record with it (S3's Content-Type, x-amz-meta-*...)
     */
    record Value(InputStream body, long length, byte[] expectedMd5, boolean md5, Rules rules,
                 Map<String, String> headers) {}

    /** What a PUT may do that minikeyvalue's may not. */
    enum Rules {
        MINIKEYVALUE,
        /** Empty values are stored, and a live value is replaced, atomically (see Record#next). */
        S3
    }

    /**
     * Stores {@code value} as {@code key}'s; the caller holds the key's claim.
     *
     * @return the record that is now live
     */
    Record put(Key key, Value value) throws HttpFailure {
        InputStream body = value.body();
        long length = value.length();
        byte[] expectedMd5 = value.expectedMd5();
        eraser.requireKnownOutcomes(key);
        Record old = store.get(key.bytes());
        if (old != null && old.unsettled()) {
            // Left by a request that failed half-way, or by a crash: once settled, null or the
            // record the failed write was replacing (or, for a replace that rolled forward, its new one).
            old = eraser.settle(key, old);
        }
        boolean replace = old != null && old.state() == Record.State.LIVE;
        if (replace && value.rules() != Rules.S3) {
            throw exists(key);
        }
        // A replace writes where the value is, so that every replica's live name always holds
        // the old value or the new one; an UNLINKED value is replaced as in minikeyvalue.
        List<String> targets = replace ? old.locations() : placement.locations(key.bytes());
        VolumeHealth health = volumes.health();
        for (String target : targets) {
            if (!health.isUp(target)) {
                throw VolumeFailure.down(health.downReason(target));
            }
        }
        volumes.requireRoom(targets, length);

        // A small value gets a buffer its size, and one byte more so that the first read also
        // meets the body's end: 256 KiB zeroed for every small PUT was 1.5% of the index's CPU
        // in the thrasher.
        byte[] first = new byte[length < 0 ? BUFFER_BYTES : (int) Math.min(length + 1, BUFFER_BYTES)];
        int firstLength = read(body, first, 0);
        boolean empty = firstLength < 0;
        if (empty && value.rules() != Rules.S3) {
            throw new HttpFailure(411, "the body is empty; nothing stored");
        }
        boolean large = firstLength == BUFFER_BYTES;
        BodyDigest md5 = value.md5() || expectedMd5 != null ? new BodyDigest(large) : null;
        // Holding back its last byte keeps every replica from appearing until the whole body
        // is here and checked.
        // An empty value has no byte to hold back: its replicas appear at once, in finish().
        HeldBack<HttpFailure> held = empty ? null : new HeldBack<>(first, firstLength, large,
                md5 == null ? HeldBack.Digest.NONE : md5::update, (buffer, offset) -> read(body, buffer, offset));

        Record pending = pending(old, targets, replace, length);
        // Committed before any volume is touched, from the record read above: of two index
        // processes writing the key, one gets 409 here. A new key's needs no sync: a process
        // crash keeps it (startup rolls it back); a machine crash that loses it loses the
        // volumes' unsynced writes just as well, and leaves at worst an unreferenced file for
        // verify --repair. Over an unlinked value it is synced: losing it would revive the
        // unlinked record while this PUT's files may sit under the live name.
        claim(key, old, pending);
        boolean replicasMayExist = false;
        boolean rollsForward = false;
        Record live;
        Record written; // live, or over an unlinked value: live with that value's files to delete
        try {
            if (old != null && !replace) {
                // Finishes an interrupted UNLINK where this PUT writes; a rollback from here on
                // finishes it too (see Eraser).
                renames.rename(key, shared(old.locations(), targets), true, false);
            }
            byte[] digest;
            long size;
            try (ReplicaUpload upload = volumes.upload(targets, key.bytes(), empty ? 0 : length, replace)) {
                size = empty ? 0 : held.sendAllButLast(upload::write);
                digest = md5 == null ? null : md5.digest();
                if (expectedMd5 != null && !Arrays.equals(expectedMd5, digest)) {
                    throw HttpFailure.badRequest("Content-MD5 does not match the body (its md5 is "
                            + HexFormat.of().formatHex(digest) + "); nothing stored");
                }
                replicasMayExist = true;
                if (!empty) {
                    held.sendLast(upload::write);
                }
                upload.finish();
            }
            live = Record.live(targets, digest).withDetails(new Details(size, System.currentTimeMillis(), value.headers()));
            if (replace) {
                // Durable before any rename: from here a failure rolls the replace forward.
                Record forward = old.withNext(live, true);
                KeyChanged.swap(store, key, pending, forward);
                pending = forward;
                rollsForward = true;
                volumes.moveAll(targets, key.bytes(), false); // each replica's new value over its old one
            }
            written = replace || old == null ? live : live.withLeftover(old);
            KeyChanged.swap(store, key, pending, written);
        } catch (HttpFailure | RuntimeException e) {
            if (rollsForward) {
                log.warn("PUT {} is written but not yet in place ({}); finishing it in the background", key, e.getMessage());
                settler.settleLater(key);
                throw new HttpFailure(503, "the new value of " + key + " is written whole and replaces the old one"
                        + " shortly, but that could not be finished now: " + e.getMessage());
            }
            rollBack(key, old, pending, replicasMayExist || replace);
            throw e;
        }
        if (written != live) {
            dropLeftover(key, written);
        }
        return live;
    }

    /**
     * The record of a write under way: a new key's, one over an unlinked value, or a replace's
     * next value. It names the size the write's files may reach when the body's {@code length}
     * is known, so that a rollback's deletes, now, in the background or after a crash, get the
     * time that size needs ({@link Volumes#deleteDeadline}) rather than plain --voltimeout.
     */
    static Record pending(Record old, List<String> targets, boolean replace, long length) {
        Details expected = length >= 0 ? new Details(length, 0, Map.of()) : Details.UNKNOWN;
        if (replace) {
            return old.withNext(Record.live(targets, null).withDetails(expected), false);
        }
        return (old == null ? Record.pending(targets) : Record.pendingOver(targets, old)).withDetails(expected);
    }

    /** Records the key {@code pending} in place of {@code old}: 403 or 409 if another index process got there first. */
    private void claim(Key key, Record old, Record pending) throws HttpFailure {
        try {
            if (old == null) {
                KeyChanged.swapUnsynced(store, key, null, pending);
            } else {
                KeyChanged.swap(store, key, old, pending);
            }
        } catch (KeyChanged e) {
            Record now = store.get(key.bytes());
            throw now != null && now.state() == Record.State.LIVE ? exists(key) : e;
        }
    }

    private static HttpFailure exists(Key key) {
        return new HttpFailure(403, key + " exists; values are never overwritten (DELETE it first)");
    }

    /** Undoes a failed PUT so that it leaves neither a record nor a file behind. */
    private void rollBack(Key key, Record old, Record pending, boolean replicasMayExist) {
        try {
            if (replicasMayExist) {
                // Some volumes may have the whole value: delete it, and restore an unlinked
                // value it was replacing (whose files it never touched).
                eraser.settle(key, pending);
            } else {
                // No volume got the last byte: only renames to the unlinked name, which it keeps.
                // A rename left unanswered may still be carried out, though: until it is, the key
                // stays this write's, or another index process (which cannot know of it) could
                // write the key meanwhile and have its new file renamed away.
                eraser.requireKnownOutcomes(key);
                KeyChanged.swap(store, key, pending, old);
            }
            rollbacks.completed();
        } catch (KeyChanged e) {
            // Only once this process had lost its hold on the key (its store unreachable too
            // long): the index process that adopted the key settles it.
            log.warn("PUT {} failed and cannot be rolled back here: {}", key, e.getMessage());
        } catch (HttpFailure | RuntimeException e) {
            rollbacks.leftPending();
            log.warn("PUT {} failed and cannot be rolled back yet: {}; retrying in the background", key, e.getMessage());
            settler.settleLater(key); // until then the key stays PENDING: absent to readers
        }
    }

    /** After replacing an unlinked value: its files go (see {@link Eraser}), now or, if a volume fails, in the background. */
    private void dropLeftover(Key key, Record written) {
        try {
            eraser.settle(key, written);
        } catch (HttpFailure | RuntimeException e) {
            log.warn("PUT {} replaced an unlinked value whose old files could not all be deleted yet ({}); the settling"
                    + " deletes them in the background", key, e.getMessage());
            settler.settleLater(key);
        }
    }

    private static List<String> shared(List<String> a, List<String> b) {
        List<String> both = new ArrayList<>(a);
        both.retainAll(b);
        return both;
    }

    /**
     * Fills {@code buffer} from {@code offset} (fewer syscalls downstream than forwarding each
     * read as it comes), or up to the end of the body; returns how many bytes it read, or -1
     * if it was at the end already.
     */
    private static int read(InputStream body, byte[] buffer, int offset) throws HttpFailure {
        try {
            return HeldBack.fill(body, buffer, offset);
        } catch (ReadTimeoutException e) {
            throw new HttpFailure(408, "the client sent no data for --write-timeout; nothing stored");
        } catch (IOException e) {
            // The cause says why to those that decode bodies (S3's checks, see S3Answers).
            throw new HttpFailure(400, "the request body ended early (" + e.getMessage() + "); nothing stored", e);
        }
    }

    /** The Content-MD5 header (RFC 1864: base64 of the 16 bytes), or null if absent. */
    private static byte[] contentMd5(String header) throws HttpFailure {
        if (header == null) {
            return null;
        }
        try {
            byte[] md5 = Base64.getDecoder().decode(header.trim());
            if (md5.length == 16) {
                return md5;
            }
        } catch (IllegalArgumentException e) {
            // answered below
        }
        throw HttpFailure.badRequest("Content-MD5 must be the base64 of 16 bytes, not '" + header + "'");
    }
}
