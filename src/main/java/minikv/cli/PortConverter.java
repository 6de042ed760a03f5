package minikv.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** PORT as a TCP port number; the message names what was given, picocli adds which parameter. */
public final class PortConverter implements ITypeConverter<Integer> {

    public static final int MAX_PORT = 65_535;

    @Override
    public Integer convert(String value) {
        int port;
        try {
            port = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("port " + value + " is not a number");
        }
        if (port < 1 || port > MAX_PORT) {
            throw new TypeConversionException("port " + port + " is out of range 1-" + MAX_PORT);
        }
        return port;
    }
}
