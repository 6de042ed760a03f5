package minikv.cluster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import minikv.http.Answer;
import minikv.http.Exchange;

/**
 * Asks every replica's volume about a key at once: one request sent to each before any answer
 * is read, so that a thread waits once for all of them rather than once per replica. For
 * {@code verify --fast} the sleep and wake-up per request had been its largest cost. Each result
 * is what {@link VolumeClient}'s lone request would give, and a request that fails in a way that
 * one would retry is asked again alone, with its retries.
 */
public final class VolumeFanOut {

    /** The largest answer {@link #reads} reads while other volumes' answers wait. */
    static final long MAX_WAITING_BYTES = 1024 * 1024;

    /** A file's length: -1 if there is none; or why it could not be had. */
    public record Sized(long size, IOException failure) {}

    /** A file read through md5: null content if there is none; or why it could not be read. */
    public record Read(VolumeClient.Content content, IOException failure) {}

    private final VolumeClient client;

    public VolumeFanOut(VolumeClient client) {
        this.client = client;
    }

    /** The lengths of the files at {@code urls}, as {@link VolumeClient#size} gives each. */
    public List<Sized> sizes(List<String> urls) {
        List<Exchange> sent = sendAll("HEAD", urls);
        List<Sized> sizes = new ArrayList<>(urls.size());
        for (int i = 0; i < urls.size(); i++) {
            String url = urls.get(i);
            try {
                sizes.add(new Sized(answered(sent.get(i), answer -> VolumeClient.sizeOf(answer, url), () -> client.size(url)), null));
            } catch (IOException e) {
                sizes.add(new Sized(-1, e));
            }
        }
        return sizes;
    }

    /**
     * The files at {@code urls}, each read through md5 as {@link VolumeClient#read} does. An answer
     * over {@link #MAX_WAITING_BYTES} is read alone: the GETs after it are dropped and sent again
     * once it is read, so that no volume waits, with an answer half sent, on the reading of
     * another's large file.
     */
    public List<Read> reads(List<String> urls) {
        List<Exchange> sent = sendAll("GET", urls);
        List<Read> reads = new ArrayList<>(urls.size());
        for (int i = 0; i < urls.size(); i++) {
            String url = urls.get(i);
            List<Exchange> later = sent.subList(i + 1, sent.size());
            try {
                reads.add(new Read(answered(sent.get(i), answer -> {
                    if (answer.status() == 404) {
                        return null;
                    }
                    VolumeClient.expect(answer, "GET", url, 200);
                    if (answer.contentLength() < 0 || answer.contentLength() > MAX_WAITING_BYTES) {
                        drop(later);
                    }
                    return VolumeClient.digest(answer);
                }, () -> client.read(url)), null));
            } catch (IOException e) {
                reads.add(new Read(null, e));
            }
        }
        return reads;
    }

    /** One request to each URL, none answered yet; a null in the list was not sent. */
    private List<Exchange> sendAll(String method, List<String> urls) {
        List<Exchange> sent = new ArrayList<>(urls.size());
        for (String url : urls) {
            try {
                sent.add(client.send(method, url));
            } catch (IOException e) {
                sent.add(null);
            }
        }
        return sent;
    }

    /** Closes exchanges whose answers will not be read, leaving nulls: they are asked again alone. */
    private static void drop(List<Exchange> exchanges) {
        for (int i = 0; i < exchanges.size(); i++) {
            if (exchanges.get(i) != null) {
                exchanges.get(i).close();
                exchanges.set(i, null);
            }
        }
    }

    @FunctionalInterface
    private interface Reading<T> {
        T from(Answer answer) throws IOException;
    }

    /**
     * What {@code reading} takes from the answer to {@code sent}; if it was not sent, or failed
     * in a way a lone request would retry, what {@code alone} gets instead.
     */
    private static <T> T answered(Exchange sent, Reading<T> reading, VolumeClient.Request<T> alone) throws IOException {
        if (sent != null) {
            try (Answer answer = sent.answer()) {
                return reading.from(answer);
            } catch (VolumeClient.Refused e) {
                if (e.status() < 500) { // as a lone request: not worth asking again
                    throw e;
                }
            } catch (IOException | RuntimeException e) {
                sent.close(); // then asked alone, below
            }
        }
        return alone.send();
    }
}
