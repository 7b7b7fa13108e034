package dev.pgseal.sql.plan;

import dev.pgseal.sql.lex.SqlToken;
import java.util.List;

/** The query string's tokens (PostgreSQL-exact), searchable by offset. */
final class SourceTokens {

    private final List<SqlToken> tokens;

    SourceTokens(List<SqlToken> tokens) {
        this.tokens = tokens;
    }

    int size() {
        return tokens.size();
    }

    SqlToken get(int i) {
        return tokens.get(i);
    }

    List<SqlToken> all() {
        return tokens;
    }

    /** Index of the first token starting at or after {@code offset} ({@link #size()} if none). */
    int indexAtOrAfter(int offset) {
        int lo = 0;
        int hi = tokens.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (tokens.get(mid).start() < offset) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The tokens lying wholly within [from, to). */
    List<SqlToken> within(int from, int to) {
        int i = indexAtOrAfter(from);
        int j = i;
        while (j < tokens.size() && tokens.get(j).end() <= to) {
            j++;
        }
        return tokens.subList(i, j);
    }
}
