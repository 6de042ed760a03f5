package minikv.index;

import java.io.ByteArrayInputStream;
import java.util.Map;
import minikv.cluster.HeadersCopy;
import minikv.s3.S3Error;
import minikv.store.IndexStore;
import minikv.store.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each S3 object's stored headers on the volumes too, as a {@link HeadersCopy}, so that
 * a rebuild brings them back. The record stays the one the index answers from.
 *
 * <p>The copy is written after its object, when the value's md5 is known, and is not part of
 * the object's all-or-nothing: an object written is answered as written even if its copy
 * fails (logged). Until the object's next write a rebuild would then miss its headers, and
 * nothing worse, because a copy names the md5 of its value and a rebuild attaches it to that
 * value only (the one case it could still match: the same bytes written again without headers,
 * whose old copy failed to go). An object without stored headers has no copy; its old copy goes,
 * as it does when the object is deleted, through S3 or minikv's own DELETE.
 */
final class S3HeadersCopies {

    private static final Logger log = LoggerFactory.getLogger(S3HeadersCopies.class);

    private final IndexStore store;
    private final KeyClaims claims;
    private final PutHandler put;
    private final Eraser eraser;

    S3HeadersCopies(IndexStore store, KeyClaims claims, PutHandler put, Eraser eraser) {
        this.store = store;
        this.claims = claims;
        this.put = put;
        this.eraser = eraser;
    }

    /** Makes the copy of {@code object}'s headers match its record {@code live}, which the caller has just written. */
    void keep(Key object, Record live) {
        Map<String, String> headers = live.details().headers();
        Key copyKey = Key.fromStored(HeadersCopy.keyOf(object.bytes()));
        if (headers.isEmpty() && store.get(copyKey.bytes()) == null) {
            return; // the common case of a plain value: one local read
        }
        try (KeyClaims.Claim claim = S3Request.claim(claims, copyKey)) {
            Record old = store.get(copyKey.bytes());
            if (headers.isEmpty()) {
                if (old != null) {
                    eraser.erase(copyKey, old);
                }
                return;
            }
            byte[] copy = HeadersCopy.encode(new HeadersCopy.Parsed(object.bytes(), live.md5Hex(), live.details().size(),
                    live.details().modifiedMillis(), headers));
            put.put(copyKey, new PutHandler.Value(new ByteArrayInputStream(copy), copy.length, null, true,
                    PutHandler.Rules.S3, Map.of()));
        } catch (S3Error | HttpFailure | RuntimeException e) {
            log.warn("the copy of the headers of {} on the volumes could not be made to match its record: a rebuild"
                    + " before the object's next write would not give back its current headers ({})", object, e.getMessage());
        }
    }

    /**
     * After minikv's own DELETE of {@code object}, which the caller has erased: its copy goes
     * too, or a later write of the same bytes without headers would get the old headers back
     * from a rebuild. The DELETE is done whatever comes of this: a copy a volume keeps from
     * erasing is settled in the background, and any other failure is logged.
     */
    void dropAfterDelete(Key object) {
        try {
            drop(object);
        } catch (S3Error | HttpFailure | RuntimeException e) {
            log.warn("{} is deleted, but the copy of its S3 headers on the volumes could not be erased yet ({})", object,
                    e.getMessage());
        }
    }

    /** Erases the copy of {@code object}'s headers, if there is one; the caller has erased the object. */
    void drop(Key object) throws S3Error, HttpFailure {
        Key copyKey = Key.fromStored(HeadersCopy.keyOf(object.bytes()));
        if (store.get(copyKey.bytes()) == null) {
            return;
        }
        try (KeyClaims.Claim claim = S3Request.claim(claims, copyKey)) {
            Record old = store.get(copyKey.bytes());
            if (old != null) {
                eraser.erase(copyKey, old);
            }
        }
    }
}
