package minikv.placement;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * Where a key lives: minikeyvalue's hashing, bit for bit, so that a cluster written by
 * minikeyvalue can be adopted and ours can be read by its tools.
 *
 * <p>Pure functions only; no I/O. The volume list order does not matter: volumes are ranked by a
 * hash of (key, volume name), so adding a volume moves only the keys that now rank it first.
 */
public final class Placement {

    /** Longest base64 name a volume's file system takes (one path component on ext4/xfs). */
    public static final int MAX_NAME_BYTES = 255;

    /** Copied for each digest: a clone is cheaper than MessageDigest.getInstance's provider lookup. */
    private static final MessageDigest MD5 = newMd5();

    private final List<String> volumes;
    /** Each volume's name in UTF-8, as it is hashed with a key. */
    private final List<byte[]> volumeNames;
    private final int replicas;
    private final int subvolumes;

    /**
     * @param volumes    volume names as clients reach them, e.g. {@code localhost:3001}
     * @param replicas   how many volumes hold each key; at most {@code volumes.size()}
     * @param subvolumes how many {@code svXX} directories each volume is split into; 1 means none
     */
    public Placement(List<String> volumes, int replicas, int subvolumes) {
        if (volumes.isEmpty()) {
            throw new IllegalArgumentException("at least one volume is needed");
        }
        if (replicas < 1 || replicas > volumes.size()) {
            throw new IllegalArgumentException("--replicas " + replicas + " needs between 1 and "
                    + volumes.size() + " volumes (have " + volumes.size() + ": " + String.join(", ", volumes) + ")");
        }
        if (subvolumes < 1 || subvolumes > 256) {
            throw new IllegalArgumentException("--subvolumes must be between 1 and 256, not " + subvolumes);
        }
        if (volumes.stream().distinct().count() != volumes.size()) {
            throw new IllegalArgumentException("a volume is listed twice: " + String.join(", ", volumes));
        }
        this.volumes = List.copyOf(volumes);
        this.volumeNames = this.volumes.stream().map(v -> v.getBytes(StandardCharsets.UTF_8)).toList();
        this.replicas = replicas;
        this.subvolumes = subvolumes;
    }

    public List<String> volumes() {
        return volumes;
    }

    public int replicas() {
        return replicas;
    }

    public int subvolumes() {
        return subvolumes;
    }

    /** The file path of a key on any volume: {@code /%02x/%02x/<standard base64 of key>}. */
    public static String path(byte[] key) {
        byte[] md5 = md5(key);
        // By hand rather than String.format("/%02x/%02x/%s"): this runs on every GET.
        HexFormat hex = HexFormat.of();
        return "/" + hex.toHexDigits(md5[0]) + "/" + hex.toHexDigits(md5[1]) + "/" + Base64.getEncoder().encodeToString(key);
    }

    public static String path(String key) {
        return path(key.getBytes(StandardCharsets.UTF_8));
    }

    /** True when the key's base64 name is too long for one file name on a volume. */
    public static boolean nameTooLong(byte[] key) {
        return 4L * ((key.length + 2) / 3) > MAX_NAME_BYTES; // padded base64 length, without encoding
    }

    /**
     * True when the key's base64 name ends in {@code /}, as it does for a key whose length is a
     * multiple of 3 and whose last byte has its low six bits set (e.g. {@code /a?}, {@code L2E/}):
     * no file can have that name, and nginx takes a PUT to it for a directory.
     */
    public static boolean nameEndsInSlash(byte[] key) {
        return key.length > 0 && key.length % 3 == 0 && (key[key.length - 1] & 0x3f) == 0x3f;
    }

    /**
     * The key's replica locations in placement order, each {@code volume} or
     * {@code volume/svXX}: the first {@code replicas} volumes ranked by md5(key + volume name),
     * highest first (ties keep the configured order, as Go's stable sort does).
     */
    public List<String> locations(byte[] key) {
        List<String> ranked = new ArrayList<>(replicas);
        for (Scored s : rank(key).subList(0, replicas)) {
            ranked.add(subvolumes == 1 ? s.volume : s.volume + "/" + subvolumeName(s.score));
        }
        return ranked;
    }

    /** Just the volume names (without subvolume) the key belongs on, in placement order. */
    public List<String> volumesFor(byte[] key) {
        List<String> out = new ArrayList<>(replicas);
        for (Scored s : rank(key).subList(0, replicas)) {
            out.add(s.volume);
        }
        return out;
    }

    /** The full URL path of a replica on the given location, e.g. {@code /sv01/5d/41/aGVsbG8=}. */
    public static String replicaPath(String location, byte[] key) {
        int slash = location.indexOf('/');
        return (slash < 0 ? "" : location.substring(slash)) + path(key);
    }

    /** The host:port part of a location. */
    public static String volumeOf(String location) {
        int slash = location.indexOf('/');
        return slash < 0 ? location : location.substring(0, slash);
    }

    /**
     * Position in {@code volumes} of the volume of a location ({@code host:port} or
     * {@code host:port/svXX}), or -1. Allocates nothing: it runs on every GET.
     */
    public static int indexOfVolume(List<String> volumes, String location) {
        for (int i = 0; i < volumes.size(); i++) {
            String v = volumes.get(i);
            if (location.startsWith(v) && (location.length() == v.length() || location.charAt(v.length()) == '/')) {
                return i;
            }
        }
        return -1;
    }

    private String subvolumeName(byte[] score) {
        long dword = ((score[12] & 0xffL) << 24) | ((score[13] & 0xffL) << 16)
                | ((score[14] & 0xffL) << 8) | (score[15] & 0xffL);
        return "sv" + HexFormat.of().withUpperCase().toHexDigits((byte) (dword % subvolumes)); // sv%02X
    }

    private List<Scored> rank(byte[] key) {
        List<Scored> scored = new ArrayList<>(volumes.size());
        MessageDigest md = md5Digest();
        for (int i = 0; i < volumes.size(); i++) {
            md.update(key);
            md.update(volumeNames.get(i));
            scored.add(new Scored(volumes.get(i), md.digest())); // digest() also resets md
        }
        // List.sort is stable, like Go's sort.Stable in minikeyvalue.
        scored.sort(Comparator.comparing((Scored s) -> s.score, Arrays::compareUnsigned).reversed());
        return scored;
    }

    private record Scored(String volume, byte[] score) {}

    public static byte[] md5(byte[] data) {
        return md5Digest().digest(data);
    }

    /** A fresh MD5 digest; Placement takes two on every GET (the path, the ranking). */
    public static MessageDigest md5Digest() {
        try {
            return (MessageDigest) MD5.clone();
        } catch (CloneNotSupportedException e) {
            return newMd5(); // a provider whose MD5 cannot be copied
        }
    }

    private static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships MD5", e);
        }
    }
}
