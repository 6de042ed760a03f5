package minikv.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import minikv.http.ClusterHttp;
import minikv.placement.Placement;
import minikv.testing.FakeVolume;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link VolumeFanOut}, which send to every volume before
 * reading any answer: each result must be its own volume's, whatever the others answer, a file
 * too large to read while others wait included, and a failure must stay with its volume.
 */
class VolumeFanOutTest {

    private static final String PATH = "/5d/41/L2tleQ==";
    private static final byte[] SMALL = "a small value".getBytes(StandardCharsets.UTF_8);

    private List<FakeVolume> volumes;
    private final VolumeFanOut fanOut = new VolumeFanOut(new VolumeClient(
            new ClusterHttp(Duration.ofSeconds(1), Optional.empty(), 4), Duration.ofSeconds(2)));

    @BeforeEach
    void start() throws IOException {
        volumes = FakeVolume.start(3);
    }

    @AfterEach
    void stop() throws IOException {
        FakeVolume.closeAll(volumes);
    }

    @Test
    void eachAnswerIsItsOwnVolumesEvenAfterAFileTooLargeToReadWhileOthersWait() {
        byte[] large = new byte[(int) VolumeFanOut.MAX_WAITING_BYTES * 2 + 7];
        new Random(1).nextBytes(large);
        volumes.get(0).place(PATH, large);
        volumes.get(1).place(PATH, SMALL);
        // volumes.get(2) has no such file

        for (int round = 0; round < 2; round++) { // the second on the pooled connections the first left
            List<VolumeFanOut.Read> reads = fanOut.reads(urls());
            assertNull(reads.get(0).failure());
            assertEquals(large.length, reads.get(0).content().size());
            assertArrayEquals(Placement.md5(large), reads.get(0).content().md5());
            assertArrayEquals(Placement.md5(SMALL), reads.get(1).content().md5());
            assertNull(reads.get(2).failure());
            assertNull(reads.get(2).content(), "a missing file is no content, not a failure");

            List<VolumeFanOut.Sized> sizes = fanOut.sizes(urls());
            assertEquals(List.of((long) large.length, (long) SMALL.length, -1L),
                    sizes.stream().map(VolumeFanOut.Sized::size).toList());
        }
    }

    @Test
    void aVolumeThatIsDownOrRefusesFailsAloneAndTheOthersAnswer() throws IOException {
        for (FakeVolume volume : volumes) {
            volume.place(PATH, SMALL);
        }
        volumes.get(0).refuse("GET", 403);
        volumes.get(0).refuse("HEAD", 403);
        volumes.get(2).close();

        List<VolumeFanOut.Read> reads = fanOut.reads(urls());
        VolumeClient.Refused refused = assertInstanceOf(VolumeClient.Refused.class, reads.get(0).failure());
        assertEquals(403, refused.status());
        assertArrayEquals(Placement.md5(SMALL), reads.get(1).content().md5());
        assertNotNull(reads.get(2).failure(), "the volume that is down");

        List<VolumeFanOut.Sized> sizes = fanOut.sizes(urls());
        assertInstanceOf(VolumeClient.Refused.class, sizes.get(0).failure());
        assertEquals(SMALL.length, sizes.get(1).size());
        assertNotNull(sizes.get(2).failure());
    }

    private List<String> urls() {
        return volumes.stream().map(v -> "http://" + v.address() + PATH).toList();
    }
}
