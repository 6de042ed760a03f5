package minikv.ops;

import java.util.Locale;
import minikv.cli.ByteSizes;
import minikv.cluster.DiskStatus;

/**
 * How much room a volume must keep: a size ({@code 1GiB}) or a share of its file system
 * ({@code 5%}). A PUT that would leave a volume of its placement with less is refused (507)
 * before any byte is sent, rather than failing half-way when the disk fills up.
 */
public final class MinFree {

    private final long bytes;
    private final double percent;
    private final String text;

    private MinFree(long bytes, double percent, String text) {
        this.bytes = bytes;
        this.percent = percent;
        this.text = text;
    }

    /** @throws IllegalArgumentException unless {@code text} is a size or a percentage from 0 to 100 */
    public static MinFree parse(String text) {
        String trimmed = text.strip();
        if (trimmed.endsWith("%")) {
            double percent;
            try {
                percent = Double.parseDouble(trimmed.substring(0, trimmed.length() - 1).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a percentage: '" + text + "'");
            }
            if (!(percent >= 0 && percent <= 100)) {
                throw new IllegalArgumentException("a percentage is from 0% to 100%, not '" + text + "'");
            }
            return new MinFree(0, percent, trimmed);
        }
        return new MinFree(ByteSizes.parse(trimmed), 0, trimmed);
    }

    /** The room to keep on a file system of {@code totalBytes}. */
    public long bytesFor(long totalBytes) {
        return percent > 0 ? (long) Math.ceil(totalBytes * percent / 100) : bytes;
    }

    /**
     * Why a volume may not take a value of {@code incomingBytes} (-1 when unknown, as for a
     * chunked body), or null if it may. A volume whose disk is not known (it serves no status, or
     * it has not been probed yet) is not refused: only a known shortage stops a write.
     */
    public String refusal(String volume, DiskStatus disk, long incomingBytes) {
        if (disk == null) {
            return null;
        }
        long keep = bytesFor(disk.totalBytes());
        long left = disk.freeBytes() - Math.max(0, incomingBytes);
        if (left >= keep) {
            return null;
        }
        return String.format(Locale.ROOT, "volume %s has %s free; %s would leave less than --min-free %s%s",
                volume, ByteSizes.format(disk.freeBytes()),
                incomingBytes < 0 ? "a write" : "this value (" + ByteSizes.format(incomingBytes) + ")",
                text, percent > 0 ? " (" + ByteSizes.format(keep) + ")" : "");
    }

    @Override
    public String toString() {
        return text;
    }
}
