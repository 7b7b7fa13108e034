package dev.pgseal.wire.session;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The prepared statements and portals PostgreSQL confirmed for one session, each with the plan
 * (interceptor attachment) of the message that created it. Entries change only on PostgreSQL's word:
 * ParseComplete and BindComplete create them, CloseComplete, {@code DEALLOCATE ALL} or
 * {@code DISCARD ALL}, a simple Query (the unnamed ones) and the end of a transaction (portals) remove
 * them. A failed or skipped Parse or Bind never reaches it, so the previous plan stays. Not
 * thread-safe: the session's event loop only.
 *
 * <p>Blind spot: statements prepared or deallocated with SQL ({@code PREPARE}, {@code DEALLOCATE
 * name}) are not seen here; a statement screen must treat those commands itself.
 */
public final class StatementRegistry {
    /** A confirmed portal: the statement it was bound from and its plan. */
    record Portal(String statement, Object plan) {
    }

    private final Map<String, Object> statements = new HashMap<>();
    private final Map<String, Portal> portals = new HashMap<>();

    void parseConfirmed(String name, Object plan) {
        statements.put(name, plan);
    }

    void bindConfirmed(String portal, String statement, Object plan) {
        portals.put(portal, new Portal(statement, plan));
    }

    void statementClosed(String name) {
        statements.remove(name);
    }

    void portalClosed(String name) {
        portals.remove(name);
    }

    /** A simple Query replaced the unnamed statement and portal. */
    void unnamedReplaced() {
        statements.remove("");
        portals.remove("");
    }

    void transactionEnded() {
        portals.clear();
    }

    void allStatementsDeallocated() {
        statements.clear();
    }

    /** The confirmed plan of statement {@code name}, {@code null} if none (or no such statement). */
    public Object statementPlan(String name) {
        return statements.get(name);
    }

    /** The confirmed plan of portal {@code name}, {@code null} if none (or no such portal). */
    public Object portalPlan(String name) {
        Portal p = portals.get(name);
        return p == null ? null : p.plan();
    }

    /** Names of the statements PostgreSQL confirmed and that were not removed since. */
    public Set<String> statementNames() {
        return Collections.unmodifiableSet(statements.keySet());
    }

    /** Open portals PostgreSQL confirmed, portal → statement. */
    public Map<String, String> portalStatements() {
        Map<String, String> m = new LinkedHashMap<>();
        portals.forEach((k, v) -> m.put(k, v.statement()));
        return Collections.unmodifiableMap(m);
    }
}
