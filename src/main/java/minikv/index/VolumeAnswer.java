package minikv.index;

import java.io.IOException;
import java.io.InputStream;

/**
 * A volume's answer: its status, and whether its connection can carry another request. Pure
 * parsing, apart from reading: the body, when its length is known, is read and dropped.
 */
record VolumeAnswer(int status, boolean reusable) {

    static VolumeAnswer read(InputStream in, boolean toHead) throws IOException {
        String statusLine = line(in);
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
            throw new IOException("not an HTTP answer: " + printable(statusLine));
        }
        int status;
        try {
            status = Integer.parseInt(statusLine.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("no status in: " + printable(statusLine));
        }
        long contentLength = -1;
        boolean close = statusLine.startsWith("HTTP/1.0");
        boolean chunked = false;
        int headBytes = statusLine.length();
        for (String header; !(header = line(in)).isEmpty(); ) {
            headBytes += header.length() + 2;
            if (headBytes > VolumeHttp.MAX_HEAD_BYTES) {
                throw new IOException("the answer's headers exceed " + VolumeHttp.MAX_HEAD_BYTES + " bytes");
            }
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim();
            String value = header.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                try {
                    contentLength = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw new IOException("bad Content-Length: " + printable(value));
                }
            } else if (name.equalsIgnoreCase("Connection")) {
                close |= value.equalsIgnoreCase("close");
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                chunked = true;
            }
        }
        boolean noBody = toHead || status == 204 || status == 304 || status / 100 == 1;
        if (noBody) {
            return new VolumeAnswer(status, !close);
        }
        if (chunked || contentLength < 0) {
            return new VolumeAnswer(status, false); // framed in a way not worth reading: just close it
        }
        in.skipNBytes(contentLength);
        return new VolumeAnswer(status, !close);
    }

    /** One CRLF-terminated line, without its end; an IOException if the stream ends first. */
    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the volume closed the connection"
                        + (line.isEmpty() ? " without answering" : " in the middle of its answer"));
            }
            if (b == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            if (line.length() >= VolumeHttp.MAX_HEAD_BYTES) {
                throw new IOException("an answer line exceeds " + VolumeHttp.MAX_HEAD_BYTES + " bytes");
            }
            line.append((char) b);
        }
    }

    private static String printable(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
