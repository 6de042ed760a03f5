package minikv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class PortConverterTest {

    @ParameterizedTest
    @CsvSource({"1, 1", "3001, 3001", "65535, 65535", "' 8080 ', 8080"})
    void acceptsPortNumbers(String given, int expected) {
        assertEquals(expected, new PortConverter().convert(given));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "", "30o1", "0", "-1", "65536", "99999999999"})
    void refusesAnythingElseNamingIt(String given) {
        TypeConversionException error = assertThrows(TypeConversionException.class,
                () -> new PortConverter().convert(given));

        assertTrue(error.getMessage().contains("port") && error.getMessage().contains(given.strip()), error.getMessage());
    }
}
