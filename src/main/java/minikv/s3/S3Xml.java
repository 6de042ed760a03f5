package minikv.s3;

/** The XML of S3's answers, written by hand: a few flat shapes, escaped as they go. */
public final class S3Xml {

    private static final String NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

    private final StringBuilder out = new StringBuilder(512).append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");

    /** A document whose root element is {@code root}, in S3's namespace. */
    public S3Xml(String root) {
        out.append('<').append(root).append(" xmlns=\"").append(NAMESPACE).append("\">");
    }

    private S3Xml() {
    }

    public S3Xml open(String name) {
        out.append('<').append(name).append('>');
        return this;
    }

    public S3Xml close(String name) {
        out.append("</").append(name).append('>');
        return this;
    }

    /** {@code <name>text</name>}; nothing when {@code text} is null. */
    public S3Xml element(String name, Object text) {
        if (text != null) {
            open(name);
            escape(String.valueOf(text));
            close(name);
        }
        return this;
    }

    /** Ends the document with the root's closing tag. */
    public String end(String root) {
        return close(root).out.toString();
    }

    /** S3's error document. */
    public static String error(S3Error error, String resource, String requestId) {
        S3Xml xml = new S3Xml();
        xml.open("Error").element("Code", error.code()).element("Message", error.getMessage()).element("Resource", resource)
                .element("RequestId", requestId);
        return xml.end("Error");
    }

    private void escape(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n') {
                        out.append("&#x").append(Integer.toHexString(c)).append(';');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }
}
