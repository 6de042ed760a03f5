package minikv.volume;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import minikv.http.Answer;
import minikv.http.ClusterHttp;

/** The address and port nginx listens on, as the launcher checks and probes it. */
final class ListenAddress {

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

    private final InetAddress address;
    private final int port;

    private ListenAddress(InetAddress address, int port) {
        this.address = address;
        this.port = port;
    }

    static ListenAddress resolve(String bind, int port) throws VolumeStartupException {
        try {
            return new ListenAddress(InetAddress.getByName(bind), port);
        } catch (UnknownHostException e) {
            throw new VolumeStartupException("--bind " + bind + ": no such address or host");
        }
    }

    /** The numeric address, so nginx binds exactly what the launcher checked. */
    String hostAddress() {
        return address.getHostAddress();
    }

    int port() {
        return port;
    }

    /** Checked before nginx starts, whose own bind failure shows only after seconds of retries. */
    void requireFree() throws VolumeStartupException {
        try (ServerSocket socket = new ServerSocket()) {
            // As nginx does: connections still closing from an earlier run do not make the port busy.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(address, port));
        } catch (IOException e) {
            throw new VolumeStartupException("cannot listen on port " + port + " of " + hostAddress() + ": "
                    + e.getMessage());
        }
    }

    /** The HTTP status nginx answers to GET /; a wildcard bind is reached through loopback. */
    int probe() throws IOException {
        URI uri = probeUri();
        try (ClusterHttp http = new ClusterHttp(PROBE_TIMEOUT, Optional.empty(), 0);
             Answer answer = http.ask(uri.getHost() + ":" + uri.getPort(), "GET", "/", PROBE_TIMEOUT)) {
            return answer.status();
        }
    }

    URI probeUri() {
        InetAddress target = address.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : address;
        try {
            return new URI("http", null, target.getHostAddress(), port, "/", null, null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("an IP address and a port always make a URI", e);
        }
    }
}
