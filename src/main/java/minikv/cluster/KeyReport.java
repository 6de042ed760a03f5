package minikv.cluster;

/**
 * What a tool did to one key, in one line: the same whether the tool ran against the database
 * or the index ran it for the tool (it travels back as the {@value #HEADER} header).
 */
public record KeyReport(Kind kind, String detail) {

    /** The response header that carries a report from the index to the tool. */
    public static final String HEADER = "Minikv-Report";

    public enum Kind {
        /** Nothing to do: replicas good, or already where placement puts them. */
        OK(false),
        /** Checked and found damaged (verify without --repair). */
        DAMAGED(true),
        /** Was damaged or half-done, and is not any more. */
        REPAIRED(false),
        /** Copied to where placement puts it; old copies removed. */
        MOVED(false),
        /** What would be done (--dry-run). */
        PLANNED(false),
        /** The key has no record (deleted meanwhile, or never there). */
        ABSENT(false),
        /** Could not be done; the key was left as it was, or as safe as it could be made. */
        FAILED(true);

        private final boolean problem;

        Kind(boolean problem) {
            this.problem = problem;
        }

        /** True when the run must end with a non-zero exit status. */
        public boolean problem() {
            return problem;
        }
    }

    public static KeyReport ok(String detail) {
        return new KeyReport(Kind.OK, detail);
    }

    public static KeyReport failed(String detail) {
        return new KeyReport(Kind.FAILED, detail);
    }

    /** The header form: the kind, a space, the detail, in printable ASCII (anything else becomes '?'). */
    public String toHeader() {
        StringBuilder header = new StringBuilder(kind.name());
        if (!detail.isEmpty()) {
            header.append(' ');
            detail.chars().forEach(c -> header.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
        }
        return header.toString();
    }

    /** Reads the header form back. */
    public static KeyReport parse(String header) {
        int space = header.indexOf(' ');
        String kind = space < 0 ? header : header.substring(0, space);
        try {
            return new KeyReport(Kind.valueOf(kind), space < 0 ? "" : header.substring(space + 1));
        } catch (IllegalArgumentException e) {
            return failed("the index answered an unknown report: " + header);
        }
    }
}
