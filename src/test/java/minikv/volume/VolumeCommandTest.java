package minikv.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import minikv.Main;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line as parsed; nothing here gets as far as starting nginx. */
class VolumeCommandTest {

    @Test
    void helpDescribesEveryOptionAndItsDefault() {
        Run help = run("volume", "--help");

        assertEquals(0, help.status);
        for (String expected : new String[] {"PORT", "DIR", "--bind=ADDR", "default: 0.0.0.0", "--nginx=PATH",
                "MINIKV_NGINX", "--template=FILE", "--access-log", "DIR/.minikv/"}) {
            assertTrue(help.out.contains(expected), "help lacks " + expected + ":\n" + help.out);
        }
    }

    @Test
    void aBadPortIsAUsageErrorNamingIt() {
        Run run = run("volume", "70000", "/tmp/unused-volume");

        assertEquals(2, run.status);
        assertTrue(run.err.contains("PORT") && run.err.contains("port 70000 is out of range"), run.err);
    }

    @Test
    void portAndDirAreRequired() {
        Run run = run("volume", "3001");

        assertEquals(2, run.status);
        assertTrue(run.err.contains("DIR"), run.err);
    }

    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        int status = commandLine.execute(args);
        return new Run(status, out.toString(), err.toString());
    }
}
