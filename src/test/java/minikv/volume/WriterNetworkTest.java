package minikv.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WriterNetworkTest {

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/8", "192.0.2.7", "127.0.0.1/32", "0.0.0.0/0", "fd00::/8", "::1", "::ffff:10.0.0.1/128"})
    void addressesAndNetworksAreTakenAsWritten(String cidr) {
        assertEquals(cidr, WriterNetwork.parse(cidr).cidr());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "example.com", "10.0.0", "256.0.0.1", "10.0.0.0/", "10.0.0.0/8/8", "1.2.3.4 1;",
        "fd00:::1:/8", "10.0.0.0/8;allow"})
    void anythingElseIsRefusedNamingIt(String text) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> WriterNetwork.parse(text));

        assertTrue(error.getMessage().startsWith("--allow " + text + ":"), error.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "fd00::/129"})
    void aPrefixLongerThanTheAddressIsRefused(String text) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> WriterNetwork.parse(text));

        assertTrue(error.getMessage().contains("prefix length must be at most"), error.getMessage());
    }
}
