package minikv.testing;

import java.nio.file.Path;
import software.amazon.awssdk.services.s3.S3Client;

/** A cluster whose index serves S3, with an AWS SDK client for it. Close it. */
public record S3Cluster(Cluster cluster, S3Endpoint s3, S3Client client) implements AutoCloseable {

    /** Three volumes, two replicas, S3 on a free port with one user. */
    public static S3Cluster start(Path dir) {
        S3Endpoint s3 = S3Endpoint.in(dir);
        Cluster cluster = Cluster.start(dir, 3, s3.options("--replicas", "2"));
        return new S3Cluster(cluster, s3, s3.client());
    }

    @Override
    public void close() {
        client.close();
        cluster.close();
    }
}
