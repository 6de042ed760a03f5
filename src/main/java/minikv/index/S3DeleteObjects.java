package minikv.index;

import java.util.List;
import minikv.s3.S3Error;
import minikv.s3.S3Xml;
import minikv.s3.S3XmlInput;

/** DeleteObjects: up to 1,000 keys named in an XML body, each deleted as DeleteObject would; Quiet lists only failures. */
final class S3DeleteObjects {

    private static final int MAX_KEYS = 1000;
    private static final int MAX_BODY = 2 * 1024 * 1024;

    private final S3Objects objects;

    S3DeleteObjects(S3Objects objects) {
        this.objects = objects;
    }

    void answer(S3Request request) throws S3Error {
        S3XmlInput delete = S3XmlInput.parse(request.smallBody(MAX_BODY), "Delete");
        List<S3XmlInput> keys = delete.children("Object");
        if (keys.isEmpty() || keys.size() > MAX_KEYS) {
            throw S3Error.badRequest("MalformedXML", "DeleteObjects names 1 to " + MAX_KEYS + " keys, not " + keys.size());
        }
        boolean quiet = "true".equalsIgnoreCase(String.valueOf(delete.text("Quiet")).strip());
        S3Xml xml = new S3Xml("DeleteResult");
        for (S3XmlInput object : keys) {
            String key = object.text("Key");
            S3Error error = key == null || key.isEmpty()
                    ? S3Error.badRequest("InvalidArgument", "an Object without a Key")
                    : objects.deleteOne(request, key);
            if (error == null) {
                if (!quiet) {
                    xml.open("Deleted").element("Key", key).close("Deleted");
                }
            } else {
                xml.open("Error").element("Key", key).element("Code", error.code()).element("Message", error.getMessage())
                        .close("Error");
            }
        }
        S3Answers.xml(request.exchange(), 200, xml.end("DeleteResult"));
    }
}
