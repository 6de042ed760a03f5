package minikv.cluster;

/**
 * A file of some key on a volume, as a crawl found it.
 *
 * @param location where: {@code host:port} or {@code host:port/svXX}
 * @param unlinked whether it has the unlinked name ({@link ReplicaName})
 * @param size     its length as listed, -1 if not known
 */
public record ReplicaFile(String location, boolean unlinked, long size) {}
