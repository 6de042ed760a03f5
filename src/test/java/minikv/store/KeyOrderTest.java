package minikv.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeyOrderTest {

    @Test
    void thePrefixBoundIsTheLeastKeyAfterEveryKeyWithThePrefix() {
        assertArrayEquals(b("/b"), KeyOrder.afterPrefix(b("/a")));
        assertArrayEquals(new byte[] {1}, KeyOrder.afterPrefix(new byte[] {0, (byte) 0xff}));
        assertNull(KeyOrder.afterPrefix(new byte[] {(byte) 0xff, (byte) 0xff}));
        assertNull(KeyOrder.afterPrefix(new byte[0]));
    }

    @Test
    void justAfterAKeyIsTheKeyAndAZeroByte() {
        assertArrayEquals(new byte[] {'/', 'a', 0}, KeyOrder.justAfter(b("/a")));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
