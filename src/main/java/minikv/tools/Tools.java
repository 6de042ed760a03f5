package minikv.tools;

import java.util.List;

/** What the tools' commands share at startup. */
final class Tools {

    private Tools() {
    }

    /** Xodus announces itself at INFO on every open; the tools print their own lines. */
    static void quietLibraryLogs() {
        for (String logger : List.of("jetbrains.exodus")) {
            System.setProperty("org.slf4j.simpleLogger.log." + logger, "warn");
        }
    }
}
