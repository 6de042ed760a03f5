package minikv.volume;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills the {@code {{name}}} placeholders of an nginx config template. Pure text in, text out, so
 * templates are tested without starting nginx; the values themselves come from
 * {@link NginxConfigValues}.
 */
final class TemplateRenderer {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(.*?)}}");

    private TemplateRenderer() {
    }

    /**
     * @throws IllegalArgumentException naming every placeholder without a value, or an unclosed
     *     {@code {{}}: a half-rendered config would only fail later, inside nginx, less clearly
     */
    static String render(String template, Map<String, String> values) {
        Matcher placeholder = PLACEHOLDER.matcher(template);
        StringBuilder rendered = new StringBuilder(template.length());
        Set<String> unknown = new TreeSet<>();
        while (placeholder.find()) {
            String name = placeholder.group(1).strip();
            String value = values.get(name);
            if (value == null) {
                unknown.add("{{" + name + "}}");
            } else {
                placeholder.appendReplacement(rendered, Matcher.quoteReplacement(value));
            }
        }
        placeholder.appendTail(rendered);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("the template uses " + String.join(", ", unknown)
                    + ", for which the launcher has no value; it knows " + new TreeSet<>(values.keySet()));
        }
        if (PLACEHOLDER.matcher(template).replaceAll("").contains("{{")) {
            throw new IllegalArgumentException("the template has a {{ without a closing }} on the same line");
        }
        return rendered.toString();
    }
}
