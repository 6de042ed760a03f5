package minikv.volume;

/** A reason the volume cannot serve, worded for the operator who started it. */
final class VolumeStartupException extends Exception {

    VolumeStartupException(String message) {
        super(message);
    }
}
