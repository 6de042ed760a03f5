package minikv.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListPageTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> page(List<String> matching, ListPage page) {
        List<String> accepted = new ArrayList<>();
        for (String k : matching) {
            if (!page.offer(b(k))) {
                break;
            }
            accepted.add(k);
        }
        return accepted;
    }

    @Test
    void aPageCountsItsKeysAndFindsTheNextPagesFirstKey() {
        ListPage p = new ListPage(2);
        assertEquals(List.of("/a", "/b"), page(List.of("/a", "/b", "/c", "/d"), p));
        assertEquals(2, p.count());
        assertArrayEquals(b("/c"), p.next());

        p = new ListPage(2);
        page(List.of("/a", "/b"), p);
        assertNull(p.next());

        p = new ListPage(0);
        page(List.of("/a", "/b", "/c"), p);
        assertEquals(3, p.count());
        assertNull(p.next());
        assertEquals(false, p.tooLarge());
    }

    @Test
    void moreThanAMillionKeysOnOnePageIsTooLarge() {
        ListPage unlimited = new ListPage(0);
        ListPage huge = new ListPage(2_000_000);
        ListPage exact = new ListPage(0);
        byte[] key = b("/k");
        for (int i = 0; i < ListPage.MAX_KEYS; i++) {
            unlimited.offer(key);
            huge.offer(key);
            exact.offer(key);
        }
        assertEquals(false, unlimited.offer(key));
        assertTrue(unlimited.tooLarge());
        assertEquals(false, huge.offer(key));
        assertTrue(huge.tooLarge());
        assertEquals(false, exact.tooLarge());
        assertEquals(ListPage.MAX_KEYS, exact.count());
    }
}
