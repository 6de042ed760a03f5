package minikv.volume;

import java.util.Optional;

/** What one volume server is asked to be; everything the nginx config is computed from. */
record VolumeSettings(RuntimeFiles files, String bindAddress, int port, Optional<WorkerUser> workerUser,
        boolean accessLog, VolumeAccess access) {

    /** Open to every client: no secret, no address limit, unsigned reads. */
    VolumeSettings(RuntimeFiles files, String bindAddress, int port, Optional<WorkerUser> workerUser, boolean accessLog) {
        this(files, bindAddress, port, workerUser, accessLog, VolumeAccess.OPEN);
    }
}
