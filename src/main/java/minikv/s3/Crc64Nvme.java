package minikv.s3;

/** CRC-64/NVME (reflected, polynomial 0xAD93D23594C93659), which S3 offers as x-amz-checksum-crc64nvme. */
final class Crc64Nvme {

    private static final long POLY_REFLECTED = 0x9A6C9329AC4BC9B5L;
    private static final long[] TABLE = new long[256];

    static {
        for (int i = 0; i < 256; i++) {
            long crc = i;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ POLY_REFLECTED : crc >>> 1;
            }
            TABLE[i] = crc;
        }
    }

    private long crc = ~0L;

    void update(byte[] bytes, int offset, int length) {
        long c = crc;
        for (int i = offset; i < offset + length; i++) {
            c = TABLE[(int) ((c ^ bytes[i]) & 0xff)] ^ (c >>> 8);
        }
        crc = c;
    }

    long value() {
        return ~crc;
    }

    /** The value big-endian, as S3 encodes it. */
    byte[] bytes() {
        long v = value();
        byte[] out = new byte[8];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (v >>> (56 - 8 * i));
        }
        return out;
    }
}
