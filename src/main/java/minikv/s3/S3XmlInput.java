package minikv.s3;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/** The XML bodies S3 clients send (DeleteObjects, CompleteMultipartUpload), read with DTDs and entities off. */
public final class S3XmlInput {

    private final Element root;

    private S3XmlInput(Element root) {
        this.root = root;
    }

    /** @throws S3Error MalformedXML unless {@code xml} is one document whose root is {@code rootName} */
    public static S3XmlInput parse(byte[] xml, String rootName) throws S3Error {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setExpandEntityReferences(false);
            factory.setNamespaceAware(true);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null);
            Document document = builder.parse(new ByteArrayInputStream(xml));
            Element root = document.getDocumentElement();
            if (!rootName.equals(root.getLocalName())) {
                throw malformed("the root element is " + root.getLocalName() + ", not " + rootName);
            }
            return new S3XmlInput(root);
        } catch (SAXException | IOException | ParserConfigurationException e) {
            throw malformed(e.getMessage());
        }
    }

    /** The child elements named {@code name}, in order. */
    public List<S3XmlInput> children(String name) {
        List<S3XmlInput> found = new ArrayList<>();
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && name.equals(e.getLocalName())) {
                found.add(new S3XmlInput(e));
            }
        }
        return found;
    }

    /** The text of the first child named {@code name}, or null. */
    public String text(String name) {
        List<S3XmlInput> found = children(name);
        return found.isEmpty() ? null : found.get(0).root.getTextContent();
    }

    private static S3Error malformed(String why) {
        return S3Error.badRequest("MalformedXML", "The XML you provided was not well-formed or did not validate: " + why);
    }
}
