package minikv.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import jetbrains.exodus.env.Environment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's one reach into Xodus internals still works: a Xodus upgrade that moves the
 * environment's class or its log's sync fails here, loudly, rather than leaving durable
 * commits quietly unsynced or every sync on the slow fallback.
 */
class XodusLogSyncTest {

    @TempDir
    Path dir;

    @Test
    void theLogSyncIsReachedWithoutItsFallback() {
        try (XodusStore store = XodusStore.open(dir)) {
            for (int i = 0; i < 20; i++) {
                store.put(("/k" + i).getBytes(), Record.live(List.of("v:1"), null));
            }
            assertTrue(store.syncs() >= 1, "durable puts were synced");
            assertEquals(0, store.syncFallbacks(), "the log's own sync failed and the fallback ran");
        }
    }

    @Test
    void anotherEnvironmentImplementationIsRefusedWithTheReason() {
        Environment other = (Environment) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Environment.class}, (proxy, method, args) -> null);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> new XodusLogSync(other));
        assertTrue(refused.getMessage().contains("EnvironmentImpl"), refused.getMessage());
    }
}
