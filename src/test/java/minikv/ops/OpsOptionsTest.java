package minikv.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class OpsOptionsTest {

    @Command(name = "index")
    static final class Holder {
        @Mixin
        OpsOptions ops;
    }

    @Test
    void theAdminPortDefaultsTo1000AboveTheIndexOnTheSameAddress() {
        OpsConfig config = parse().config(3000, "127.0.0.1");

        assertEquals(new OpsConfig.Admin("127.0.0.1", 4000, false), config.admin());
        assertEquals(1L << 30, config.minFree().bytesFor(0));
    }

    @Test
    void anExplicitAdminPortAndAddress() {
        OpsConfig config = parse("--admin-port", "9100", "--admin-bind", "10.0.0.1").config(3000, "0.0.0.0");

        assertEquals(new OpsConfig.Admin("10.0.0.1", 9100, true), config.admin());
    }

    @Test
    void offMeansNoAdminPort() {
        assertNull(parse("--admin-port", "off").config(3000, "0.0.0.0").admin());
    }

    @Test
    void noDefaultAdminPortAbove65535() {
        assertNull(parse().config(65000, "0.0.0.0").admin());
    }

    @Test
    void anAdminPortMustBeAPortOtherThanTheIndexPort() {
        for (String bad : new String[] {"0", "70000", "http", "3000"}) {
            assertThrows(IllegalArgumentException.class, () -> parse("--admin-port", bad).config(3000, "0.0.0.0"), bad);
        }
    }

    @Test
    void minFreeTakesSizesAndPercentages() {
        assertEquals(10L << 30, parse("--min-free", "10GiB").config(3000, "x").minFree().bytesFor(0));
        assertEquals(50, parse("--min-free", "5%").config(3000, "x").minFree().bytesFor(1000));
        assertThrows(CommandLine.ParameterException.class, () -> parse("--min-free", "lots"));
    }

    @Test
    void logFlags() {
        OpsConfig config = parse("--access-log", "-v").config(3000, "x");
        assertEquals(true, config.accessLog());
        assertEquals(true, config.verbose());
    }

    @Test
    void helpShowsEveryOption() {
        String help = new CommandLine(new Holder()).getUsageMessage(CommandLine.Help.Ansi.OFF);

        for (String expected : new String[] {"--admin-port=PORT|off", "off: none", "--admin-bind=ADDR",
            "--min-free=SIZE|N%", "e.g. 10GiB, 5%, 0", "(default: 1GiB)", "--access-log", "-v, --verbose"}) {
            assertTrue(help.contains(expected), expected + " missing from:\n" + help);
        }
    }

    private static OpsOptions parse(String... args) {
        Holder holder = new Holder();
        new CommandLine(holder).parseArgs(args);
        return holder.ops;
    }
}
