package dev.pgseal.keys.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A filter over {@code pgseal.audit_log}: events at or after {@code since}, by one actor, of one
 * action, at most {@code limit} of them. With {@code since} the oldest matching events come first;
 * without it, the newest {@code limit} events (still listed oldest first). Reading never changes the
 * chain, and what is returned is what is stored: verify the chain ({@link AuditChainVerification})
 * before trusting it.
 *
 * @param since the earliest time, or null
 * @param actor the exact actor, or null
 * @param action the exact action, or a family of them: {@code alert.*} matches every action that
 *     starts with {@code alert.}; or null
 * @param limit 1..{@link #MAX_LIMIT}
 */
public record AuditQuery(Instant since, String actor, String action, int limit) {

    /** The most events one query returns. */
    public static final int MAX_LIMIT = 1000;
    /** The number of events returned when no limit is given. */
    public static final int DEFAULT_LIMIT = 100;

    private static final ObjectMapper JSON = new ObjectMapper();

    public AuditQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 1.." + MAX_LIMIT + ")");
        }
    }

    /** One stored event as read back (links left out: {@code audit verify} checks those). */
    public record Entry(long id, Instant at, String actor, String action, String object, AuditEvent.Outcome outcome,
            Map<String, Object> details) {
    }

    /** Runs the query on {@code c}. */
    public List<Entry> run(Connection c) throws SQLException {
        StringBuilder sql = new StringBuilder("select id, at, actor, action, object, outcome, details::text "
                + "from pgseal.audit_log where true");
        List<Object> args = new ArrayList<>();
        if (since != null) {
            sql.append(" and at >= ?");
            args.add(since.atOffset(ZoneOffset.UTC));
        }
        if (actor != null) {
            sql.append(" and actor = ?");
            args.add(actor);
        }
        if (action != null && action.endsWith(".*")) {
            sql.append(" and action like ? escape '!'");
            args.add(action.substring(0, action.length() - 1).replaceAll("[!%_]", "!$0") + "%");
        } else if (action != null) {
            sql.append(" and action = ?");
            args.add(action);
        }
        sql.append(since != null ? " order by id asc" : " order by id desc").append(" limit ").append(limit);
        List<Entry> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Entry(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getString(3),
                            rs.getString(4), rs.getString(5), AuditEvent.Outcome.valueOf(rs.getString(6)),
                            details(rs.getString(7))));
                }
            }
        }
        if (since == null) {
            Collections.reverse(out);
        }
        return out;
    }

    private static Map<String, Object> details(String jsonb) throws SQLException {
        try {
            return JSON.readValue(jsonb, new TypeReference<Map<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw new SQLException("audit event details are not a JSON object", e);
        }
    }
}
