package minikv.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The last byte held back: everything else sent in order, the digest seeing every byte once. */
class HeldBackTest {

    private static final int BUFFER = 16;

    @ParameterizedTest
    @ValueSource(ints = {1, 2, BUFFER - 1, BUFFER, BUFFER + 1, 5 * BUFFER, 5 * BUFFER + 7})
    void sendsAllButTheLastByteUntilReleasedWithOneBufferOrTwo(int length) throws IOException {
        byte[] value = new byte[length];
        new Random(length).nextBytes(value);
        for (boolean twoBuffers : new boolean[] {false, true}) {
            InputStream in = new ByteArrayInputStream(value);
            byte[] first = new byte[BUFFER];
            ByteArrayOutputStream digested = new ByteArrayOutputStream();
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            HeldBack<IOException> body = new HeldBack<>(first, HeldBack.fill(in, first, 0), twoBuffers, (b, offset, n) -> {
                digested.write(b, offset, n);
                return HeldBack.Digest.DONE;
            }, (b, offset) -> HeldBack.fill(in, b, offset));

            assertEquals(length, body.sendAllButLast(sent::write));
            assertArrayEquals(Arrays.copyOf(value, length - 1), sent.toByteArray(), "all but the last byte");
            assertArrayEquals(value, digested.toByteArray(), "the digest saw the whole body");
            body.sendLast(sent::write);
            assertArrayEquals(value, sent.toByteArray());
        }
    }

    @Test
    void aBufferIsNotRefilledBeforeItsDigestIsDone() throws Exception {
        byte[] value = new byte[4 * BUFFER];
        new Random(1).nextBytes(value);
        InputStream in = new ByteArrayInputStream(value);
        CompletableFuture<Void> digestDone = new CompletableFuture<>();
        byte[] first = new byte[BUFFER];
        HeldBack<IOException> body = new HeldBack<>(first, HeldBack.fill(in, first, 0), true,
                (b, offset, n) -> digestDone, (b, offset) -> HeldBack.fill(in, b, offset));
        ByteArrayOutputStream sent = new ByteArrayOutputStream();

        CompletableFuture<Long> sending = CompletableFuture.supplyAsync(() -> {
            try {
                return body.sendAllButLast(sent::write);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertThrows(TimeoutException.class, () -> sending.get(300, TimeUnit.MILLISECONDS),
                "it waits for the digest of the first buffer before filling it again");
        assertArrayEquals(Arrays.copyOf(value, 2 * BUFFER - 2), sent.toByteArray(), "both buffers sent, each one's last byte held");

        digestDone.complete(null);
        assertEquals(value.length, sending.get(5, TimeUnit.SECONDS));
    }

    /** As the index's PUT sizes the buffer of a small value: its length and one byte more. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7})
    void aBufferOneByteLongerThanTheBodyCarriesItWhole(int length) throws IOException {
        byte[] value = new byte[length];
        new Random(length).nextBytes(value);
        InputStream in = new ByteArrayInputStream(value);
        byte[] first = new byte[length + 1];
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        HeldBack<IOException> body = new HeldBack<>(first, HeldBack.fill(in, first, 0), false, HeldBack.Digest.NONE,
                (b, offset) -> HeldBack.fill(in, b, offset));

        assertEquals(length, body.sendAllButLast(sent::write));
        body.sendLast(sent::write);
        assertArrayEquals(value, sent.toByteArray());
    }

    @Test
    void aOneByteBufferIsRefusedForItLeavesNoRoomBesideTheByteHeldBack() {
        assertThrows(IllegalArgumentException.class,
                () -> new HeldBack<IOException>(new byte[1], 1, false, HeldBack.Digest.NONE, (b, o) -> -1));
    }

    @Test
    void anEmptyBodyHasNoByteToHoldAndTheLastMustWaitForTheEnd() {
        assertThrows(IllegalArgumentException.class,
                () -> new HeldBack<IOException>(new byte[BUFFER], 0, false, HeldBack.Digest.NONE, (b, o) -> -1));
        HeldBack<IOException> body = new HeldBack<>(new byte[BUFFER], 3, false, HeldBack.Digest.NONE, (b, o) -> -1);
        assertThrows(IllegalStateException.class, () -> body.sendLast((b, o, n) -> { }));
    }
}
