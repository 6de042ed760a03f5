package minikv.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import minikv.store.Record.State;
import org.junit.jupiter.api.Test;

class ListQueryTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void listAndUnlinkedWithStartAndLimit() throws HttpFailure {
        ListQuery q = ListQuery.parse("list");
        assertEquals(State.LIVE, q.state());
        assertEquals(0, q.limit());
        assertArrayEquals(new byte[0], q.start());

        q = ListQuery.parse("unlinked&start=%2Fa+b%C3%A9&limit=10&ignored=1");
        assertEquals(State.UNLINKED, q.state());
        assertEquals(10, q.limit());
        assertArrayEquals(b("/a bé"), q.start());
        assertEquals(State.LIVE, ListQuery.parse("limit=2&list=").state());
    }

    @Test
    void badQueriesAreRefusedWithAReason() {
        for (String bad : new String[] {"list&limit=0", "list&limit=-1", "list&limit=x", "list&limit=", "list&limit=99999999999"}) {
            assertTrue(assertThrows(HttpFailure.class, () -> ListQuery.parse(bad)).getMessage().contains("limit"), bad);
        }
        assertTrue(assertThrows(HttpFailure.class, () -> ListQuery.parse("x=1")).getMessage().contains("?list"));
        assertTrue(assertThrows(HttpFailure.class, () -> ListQuery.parse("list&unlinked")).getMessage().contains("not both"));
        assertTrue(assertThrows(HttpFailure.class, () -> ListQuery.parse("list&start=%FF")).getMessage().contains("UTF-8"));
    }
}
