package minikv.index;

/** A request the index refuses; the message says why and becomes the 400 body. */
final class BadRequest extends Exception {

    BadRequest(String message) {
        super(message, null, false, false); // an answer to a client, not a fault: no stack trace
    }
}
