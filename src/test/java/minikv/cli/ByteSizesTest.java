package minikv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizesTest {

    @ParameterizedTest
    @CsvSource({"0, 0", "1048576, 1048576", "1GiB, 1073741824", "1gib, 1073741824", "1Gi, 1073741824",
        "500MB, 500000000", "500M, 500000000", "1.5KiB, 1536", "2 TiB, 2199023255552", "10k, 10000", "7B, 7",
        "' 3MiB ', 3145728"})
    void parsesPlainCountsAndUnits(String text, long bytes) {
        assertEquals(bytes, ByteSizes.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "GiB", "-1", "1 GB free", "1iB", "1XB", "1e9", "99999999PiB"})
    void refusesWhatIsNotASize(String text) {
        assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse(text));
    }

    @Test
    void formatsInBinaryUnits() {
        assertEquals("0 B", ByteSizes.format(0));
        assertEquals("1023 B", ByteSizes.format(1023));
        assertEquals("1.0 KiB", ByteSizes.format(1024));
        assertEquals("1.5 GiB", ByteSizes.format(1536L << 20));
        assertEquals("465.8 GiB", ByteSizes.format(500_107_862_016L));
        assertEquals("8.0 PiB", ByteSizes.format(8L << 50));
    }
}
