package minikv.testing;

import java.nio.file.Path;
import software.amazon.awssdk.services.s3.S3Client;

/** A cluster whose index serves S3, with an AWS SDK client for it. Close it. */
public record S3Cluster(Cluster cluster, S3Endpoint s3, S3Client client) implements AutoCloseable {

    /** Three volumes, two replicas, S3 on a free port with one user; more index options if given. */
    public static S3Cluster start(Path dir, String... indexOptions) {
        S3Endpoint s3 = S3Endpoint.in(dir);
        String[] options = new String[indexOptions.length + 2];
        options[0] = "--replicas";
        options[1] = "2";
        System.arraycopy(indexOptions, 0, options, 2, indexOptions.length);
        Cluster cluster = Cluster.start(dir, 3, s3.options(options));
        return new S3Cluster(cluster, s3, s3.client());
    }

    @Override
    public void close() {
        client.close();
        cluster.close();
    }
}
