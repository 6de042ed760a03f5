package minikv.tools;

import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import minikv.cluster.HeadersCopy;
import minikv.cluster.ReplicaName;
import minikv.cluster.VolumeClient;
import minikv.placement.Placement;
import minikv.store.Details;
import minikv.store.IndexStore;
import minikv.store.Record;

/**
 * The last step of a rebuild: gives each S3 object back the stored headers of its {@link
 * HeadersCopy}, found among the rebuilt keys, when the copy names the md5 the rebuild found for
 * the object's value. A copy that names another value (left by a write that failed, or older
 * than a replace) is left as it is; so are all copies after a {@code --no-md5} rebuild, which
 * cannot tell which value they describe.
 */
final class HeadersRestore {

    /** Far more than S3's 2 KiB of user metadata and the few other headers a copy holds. */
    private static final int MAX_COPY_BYTES = 64 * 1024;

    final AtomicLong restored = new AtomicLong();
    final AtomicLong unmatched = new AtomicLong();
    final AtomicLong unreadable = new AtomicLong();

    /** Restores what the copies in {@code store} describe, reading them with {@code threads} at once. */
    void restore(IndexStore store, VolumeClient client, int threads, Progress progress) throws InterruptedException {
        byte[] prefix = HeadersCopy.PREFIX.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (Parallel readers = new Parallel("headers", threads); IndexStore.Snapshot snapshot = store.snapshot()) {
            InterruptedException[] interrupted = {null};
            snapshot.scanRecords(prefix, new byte[0], Record.State.LIVE, (key, record) -> {
                try {
                    readers.submit(() -> restoreOne(store, client, key, record, progress));
                    return true;
                } catch (InterruptedException e) {
                    interrupted[0] = e;
                    return false;
                }
            });
            if (interrupted[0] != null) {
                throw interrupted[0];
            }
            readers.await();
        }
    }

    private void restoreOne(IndexStore store, VolumeClient client, byte[] copyKey, Record copyRecord, Progress progress) {
        HeadersCopy.Parsed copy = read(client, copyKey, copyRecord.locations(), copyRecord.md5Hex());
        if (copy == null) {
            unreadable.incrementAndGet();
            progress.println("look at " + new String(copyKey, java.nio.charset.StandardCharsets.UTF_8)
                    + ": no replica could be read as a copy of an S3 object's headers; left as it is");
            return;
        }
        Record object = store.get(copy.objectKey());
        if (!Arrays.equals(HeadersCopy.keyOf(copy.objectKey()), copyKey) || object == null
                || object.state() != Record.State.LIVE || !copy.md5Hex().equals(object.md5Hex())) {
            unmatched.incrementAndGet();
            return;
        }
        store.put(copy.objectKey(), object.withDetails(new Details(copy.size(), copy.modifiedMillis(), copy.headers())));
        restored.incrementAndGet();
        progress.add(1);
    }

    /**
     * The copy from the first of its replicas at {@code locations} that holds one whose md5 is
     * {@code md5Hex} (null: any); null if none.
     */
    static HeadersCopy.Parsed read(VolumeClient client, byte[] copyKey, List<String> locations, String md5Hex) {
        for (String location : locations) {
            try {
                byte[] bytes = client.bytes(ReplicaName.url(location, copyKey, false), MAX_COPY_BYTES);
                if (bytes == null || md5Hex != null
                        && !md5Hex.equals(HexFormat.of().formatHex(Placement.md5Digest().digest(bytes)))) {
                    continue;
                }
                HeadersCopy.Parsed copy = HeadersCopy.decode(bytes);
                if (copy != null) {
                    return copy;
                }
            } catch (IOException e) {
                // the next replica, then
            }
        }
        return null;
    }
}
