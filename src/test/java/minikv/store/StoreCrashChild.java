package minikv.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The child JVM of {@link IndexStoreContract}'s crash case: opens a store the way the named
 * contract subclass does, makes durable, unsynced and removing changes, says so on stdout, and
 * waits to be killed.
 */
final class StoreCrashChild {

    static final int KEYS = 50;
    private static final String COMMITTED = "committed";

    private StoreCrashChild() {
    }

    /** Starts the child for {@code contract} (an {@link IndexStoreContract} subclass) on {@code dir}. */
    static Process start(Class<?> contract, Path dir) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), StoreCrashChild.class.getName(), contract.getName(),
                dir.toString())
                .redirectErrorStream(true).start();
    }

    /** True once the child says every change has returned; false if it exits first. */
    static boolean awaitCommitted(Process child) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.equals(COMMITTED)) {
                return true;
            }
            System.err.println("[store child] " + line);
        }
        return false;
    }

    public static void main(String[] args) throws Exception {
        IndexStoreContract contract = (IndexStoreContract) Class.forName(args[0]).getDeclaredConstructor().newInstance();
        IndexStore store = contract.open(Path.of(args[1]));
        List<String> at = IndexStoreContract.AT;
        for (int i = 0; i < KEYS; i++) {
            store.compareAndSetUnsynced(IndexStoreContract.b("/removed" + i), null, Record.pending(at));
            store.put(IndexStoreContract.b("/durable" + i), Record.live(at, null));
            store.compareAndSetUnsynced(IndexStoreContract.b("/unsynced" + i), null, Record.pending(at));
            store.compareAndSetUnsynced(IndexStoreContract.b("/removed" + i), Record.pending(at), null);
        }
        System.out.println(COMMITTED);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE); // killed here, the store never closed
    }
}
