package minikv.volume;

/**
 * The account nginx's worker processes run as when the launcher is root: the volume directory's
 * owner, so that PUT can write there (root's default for workers, nobody, usually cannot).
 */
record WorkerUser(String user, String group) {
}
