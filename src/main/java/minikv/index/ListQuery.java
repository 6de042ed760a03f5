package minikv.index;

import minikv.store.Record;

/**
 * A listing request, {@code ?list} or {@code ?unlinked} with optional {@code start=KEY} and
 * {@code limit=N}, parsed from the raw query string. Values are decoded like HTML form values
 * ({@code +} is a space), as Go's and Python's URL encoders produce them.
 *
 * @param state which keys to list: LIVE for {@code ?list}, UNLINKED for {@code ?unlinked}
 * @param start the first key to consider, as UTF-8 bytes; empty for the beginning
 * @param limit the most keys in one page, or 0 for no limit
 */
record ListQuery(Record.State state, byte[] start, int limit) {

    static ListQuery parse(String rawQuery) throws HttpFailure {
        Record.State state = null;
        byte[] start = new byte[0];
        int limit = 0;
        for (String param : rawQuery.split("&")) {
            int eq = param.indexOf('=');
            String name = eq < 0 ? param : param.substring(0, eq);
            String value = eq < 0 ? "" : param.substring(eq + 1);
            switch (name) {
                case "list", "unlinked" -> {
                    Record.State asked = name.equals("list") ? Record.State.LIVE : Record.State.UNLINKED;
                    if (state != null && state != asked) {
                        throw HttpFailure.badRequest("ask for ?list or ?unlinked, not both");
                    }
                    state = asked;
                }
                case "start" -> start = Key.percentDecode(value, true);
                case "limit" -> limit = positive(value);
                default -> { } // unknown parameters are ignored, as by minikeyvalue
            }
        }
        if (state == null) {
            throw HttpFailure.badRequest("a query on GET must be ?list or ?unlinked");
        }
        Key.strictUtf8(start);
        return new ListQuery(state, start, limit);
    }

    private static int positive(String value) throws HttpFailure {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw HttpFailure.badRequest("limit must be a positive integer, not '" + value + "'");
    }
}
