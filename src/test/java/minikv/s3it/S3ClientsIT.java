package minikv.s3it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import minikv.testing.Cluster;
import minikv.testing.Command;
import minikv.testing.S3Cluster;
import minikv.testing.S3Endpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 endpoint through the command-line clients people use, unchanged, as Debian ships them
 * (scripts/setup installs them): awscli, boto3, rclone, restic and s3cmd. Each copies a tree of
 * files in and out and checks it came back byte for byte.
 */
class S3ClientsIT {

    private static final Duration PATIENCE = Duration.ofMinutes(3);

    @TempDir
    static Path dir;
    private static S3Cluster running;
    private static Cluster cluster;
    private static S3Endpoint s3;
    private static Path tree;

    @BeforeAll
    static void start() throws IOException {
        running = S3Cluster.start(dir);
        cluster = running.cluster();
        s3 = running.s3();
        tree = dir.resolve("tree");
        Random random = new Random(12);
        write(tree.resolve("a.txt"), "hello\n".getBytes());
        write(tree.resolve("sub/b.bin"), bytes(random, 3 << 20));
        write(tree.resolve("sub/deeper/c d+e.txt"), "spaces and plus\n".getBytes());
        write(tree.resolve("empty"), new byte[0]);
        write(tree.resolve("big.bin"), bytes(random, 20 << 20)); // past awscli's 8 MiB: a multipart upload
        for (int i = 0; i < 20; i++) {
            write(tree.resolve("many/" + i), bytes(random, random.nextInt(5000) + 1));
        }
    }

    @AfterAll
    static void stop() {
        if (running != null) {
            running.close();
        }
    }

    @Test
    void awscliSyncsATreeInAndOutAndASecondSyncCopiesNothing() throws IOException {
        List<String> clis = new ArrayList<>();
        if (Command.exists("/usr/bin/aws")) {
            clis.add("/usr/bin/aws"); // Debian's awscli v2
        }
        String onPath = Command.run(dir, Map.of(), PATIENCE, List.of("sh", "-c", "command -v aws || true")).output().strip();
        if (!onPath.isEmpty() && !onPath.equals("/usr/bin/aws")) {
            clis.add(onPath); // a newer generation, which sends checksum trailers, where the machine has one
        }
        assumeTrue(!clis.isEmpty(), "no awscli here (scripts/setup installs Debian's)");
        for (int i = 0; i < clis.size(); i++) {
            String aws = clis.get(i);
            String bucket = "awscli" + i;
            Map<String, String> env = new HashMap<>(s3.cliEnvironment());
            run(env, aws, "--endpoint-url", s3.url(), "s3", "mb", "s3://" + bucket);
            run(env, aws, "--endpoint-url", s3.url(), "s3", "sync", tree.toString(), "s3://" + bucket + "/tree");
            Path back = dir.resolve("awscli-back" + i);
            run(env, aws, "--endpoint-url", s3.url(), "s3", "sync", "s3://" + bucket + "/tree", back.toString());
            assertEquals(contents(tree), contents(back), aws);
            String again = run(env, aws, "--endpoint-url", s3.url(), "s3", "sync", tree.toString(), "s3://" + bucket + "/tree");
            assertEquals("", again.strip(), aws + ": a second sync finds every file there already");
            String listed = run(env, aws, "--endpoint-url", s3.url(), "s3", "ls", "--recursive", "s3://" + bucket + "/");
            assertTrue(listed.contains("tree/sub/deeper/c d+e.txt"), listed);
            run(env, aws, "--endpoint-url", s3.url(), "s3", "rm", "--recursive", "s3://" + bucket + "/tree");
            run(env, aws, "--endpoint-url", s3.url(), "s3", "rb", "s3://" + bucket);
        }
    }

    @Test
    void rcloneCopiesAndChecksATree() throws IOException {
        assumeTrue(Command.exists("rclone"), "no rclone here (scripts/setup installs Debian's)");
        Map<String, String> env = Map.of("RCLONE_CONFIG_M_TYPE", "s3", "RCLONE_CONFIG_M_PROVIDER", "Other",
                "RCLONE_CONFIG_M_ENDPOINT", s3.url(), "RCLONE_CONFIG_M_ACCESS_KEY_ID", S3Endpoint.ACCESS_KEY,
                "RCLONE_CONFIG_M_SECRET_ACCESS_KEY", S3Endpoint.SECRET_KEY, "RCLONE_CONFIG_M_REGION", "us-east-1");
        run(env, "rclone", "mkdir", "m:rclone");
        run(env, "rclone", "copy", tree.toString(), "m:rclone/tree");
        run(env, "rclone", "check", tree.toString(), "m:rclone/tree"); // sizes and md5s
        Path back = dir.resolve("rclone-back");
        run(env, "rclone", "copy", "m:rclone/tree", back.toString());
        assertEquals(contents(tree), contents(back));
    }

    @Test
    void resticBacksUpChecksEveryByteAndRestores() throws IOException {
        assumeTrue(Command.exists("restic"), "no restic here (scripts/setup installs Debian's)");
        Map<String, String> env = new HashMap<>(s3.cliEnvironment());
        env.put("RESTIC_PASSWORD", "a test repository");
        env.put("RESTIC_REPOSITORY", "s3:" + s3.url() + "/restic");
        env.put("RESTIC_CACHE_DIR", dir.resolve("restic-cache").toString());
        run(env, "restic", "init");
        run(env, "restic", "backup", "--host", "test", tree.toString());
        run(env, "restic", "check", "--read-data");
        Path restored = dir.resolve("restic-restore");
        run(env, "restic", "restore", "latest", "--target", restored.toString());
        assertEquals(contents(tree), contents(restored.resolve(tree.toString().substring(1))));
    }

    @Test
    void s3cmdPutsListsGetsAndDeletes() throws IOException {
        assumeTrue(Command.exists("s3cmd"), "no s3cmd here (scripts/setup installs Debian's)");
        Path config = dir.resolve("s3cmd.cfg");
        String host = "127.0.0.1:" + s3.port();
        Files.writeString(config, "[default]\naccess_key = " + S3Endpoint.ACCESS_KEY + "\nsecret_key = "
                + S3Endpoint.SECRET_KEY + "\nhost_base = " + host + "\nhost_bucket = " + host
                + "\nuse_https = False\nsignature_v2 = False\nbucket_location = us-east-1\n");
        String cfg = "--config=" + config;
        run(Map.of(), "s3cmd", cfg, "mb", "s3://s3cmd");
        run(Map.of(), "s3cmd", cfg, "put", tree.resolve("sub/b.bin").toString(), "s3://s3cmd/b.bin");
        String listed = run(Map.of(), "s3cmd", cfg, "ls", "s3://s3cmd/");
        assertTrue(listed.contains("s3://s3cmd/b.bin"), listed);
        Path got = dir.resolve("s3cmd-b.bin");
        run(Map.of(), "s3cmd", cfg, "get", "s3://s3cmd/b.bin", got.toString());
        org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(tree.resolve("sub/b.bin")), Files.readAllBytes(got));
        run(Map.of(), "s3cmd", cfg, "del", "s3://s3cmd/b.bin");
        run(Map.of(), "s3cmd", cfg, "rb", "s3://s3cmd");
    }

    @Test
    void boto3PutsGetsListsCopiesUploadsInPartsDeletesAndPresigns() throws IOException {
        List<String> pythons = new ArrayList<>();
        for (String python : List.of("/usr/bin/python3", "python3")) {
            if (Command.run(dir, Map.of(), PATIENCE, List.of(python, "-c", "import boto3")).exit() == 0) {
                pythons.add(python);
            }
        }
        assumeTrue(!pythons.isEmpty(), "no boto3 here (scripts/setup installs Debian's python3-boto3)");
        Path script = dir.resolve("boto3_flow.py");
        try (var in = S3ClientsIT.class.getResourceAsStream("boto3_flow.py")) {
            Files.write(script, in.readAllBytes());
        }
        for (int i = 0; i < pythons.size(); i++) {
            String out = run(s3.cliEnvironment(), pythons.get(i), script.toString(), "boto" + i);
            assertTrue(out.contains("boto3 flow passed"), out);
        }
    }

    /**
     * curl signs a request whose aws-chunked body says one length in x-amz-decoded-content-length
     * and holds another: what a broken client sends. Before, a body shorter than it said was
     * stored padded with zero bytes, and answered 200.
     */
    @Test
    void anAwsChunkedBodyOfAnotherLengthThanItSaysIsRefusedAndChangesNothing() throws IOException {
        assumeTrue(Command.exists("curl"), "no curl here");
        assertTrue(curl("PUT", "/curlchunks", "UNSIGNED-PAYLOAD", null, null).endsWith("200"));
        Path before = dir.resolve("before.txt");
        Files.writeString(before, "the value before");
        assertTrue(curl("PUT", "/curlchunks/kept", "UNSIGNED-PAYLOAD", null, before).endsWith("200"));
        Path chunks = dir.resolve("chunks");
        Files.writeString(chunks, "5\r\nhello\r\n0\r\n\r\n"); // 5 bytes of value
        for (String key : List.of("/curlchunks/kept", "/curlchunks/new")) {
            String shorter = curl("PUT", key, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "9", chunks);
            assertTrue(shorter.contains("<Code>IncompleteBody</Code>") && shorter.endsWith("400"), shorter);
            String longer = curl("PUT", key, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "2", chunks);
            assertTrue(longer.contains("<Code>InvalidRequest</Code>") && longer.endsWith("400"), longer);
        }
        assertEquals("the value before200", curl("GET", "/curlchunks/kept", "UNSIGNED-PAYLOAD", null, null));
        assertTrue(curl("GET", "/curlchunks/new", "UNSIGNED-PAYLOAD", null, null).endsWith("404"));
    }

    /** The answer's body, then its status. */
    private static String curl(String method, String path, String payloadHash, String decodedLength, Path body) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-X", method, "--aws-sigv4", "aws:amz:us-east-1:s3",
                "--user", S3Endpoint.ACCESS_KEY + ":" + S3Endpoint.SECRET_KEY, "-H", "x-amz-content-sha256: " + payloadHash,
                "-w", "%{http_code}"));
        if (decodedLength != null) {
            command.addAll(List.of("-H", "Content-Encoding: aws-chunked", "-H", "x-amz-decoded-content-length: " + decodedLength));
        }
        if (body != null) {
            command.addAll(List.of("--data-binary", "@" + body));
        }
        command.add(s3.url() + path);
        return Command.run(dir, Map.of(), PATIENCE, command).ok();
    }

    private static String run(Map<String, String> env, String... command) {
        return Command.run(dir, env, PATIENCE, List.of(command)).ok();
    }

    /** Each file's path below {@code root} and a hash of its bytes. */
    private static Map<String, Integer> contents(Path root) throws IOException {
        Map<String, Integer> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(p).toString(), Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1).hashCode());
            }
        }
        return files;
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
