package minikv.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** An index's S3 endpoint for the tests: its port, a credentials file with one user, and clients for it. */
public record S3Endpoint(int port, Path credentials) {

    public static final String ACCESS_KEY = "minikvtest";
    public static final String SECRET_KEY = "test-secret-key/with+signs=";

    /** A fresh port and a credentials file (mode 600) in {@code dir}. */
    public static S3Endpoint in(Path dir) {
        try {
            Path file = dir.resolve("s3-credentials");
            Files.writeString(file, "# the tests' one user\n" + ACCESS_KEY + " " + SECRET_KEY + "\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return new S3Endpoint(FreePorts.next(), file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The index options that turn it on. */
    public String[] options(String... more) {
        String[] own = {"--s3-port", Integer.toString(port), "--s3-credentials", credentials.toString()};
        String[] all = new String[own.length + more.length];
        System.arraycopy(own, 0, all, 0, own.length);
        System.arraycopy(more, 0, all, own.length, more.length);
        return all;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The AWS SDK for Java v2, path style, with its default checksums (CRC32 trailers on uploads). */
    public S3Client client() {
        return S3Client.builder().endpointOverride(URI.create(url())).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    public S3Presigner presigner() {
        return S3Presigner.builder().endpointOverride(URI.create(url())).region(Region.US_EAST_1)
                .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder().pathStyleAccessEnabled(true)
                        .build())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    /** The environment for a command-line S3 client (awscli, rclone...): this endpoint and user, nothing of the machine's. */
    public Map<String, String> cliEnvironment() {
        return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY, "AWS_DEFAULT_REGION", "us-east-1",
                "AWS_ENDPOINT_URL", url());
    }
}
