package dev.pgseal.wire;

/**
 * Extension point of the proxy: gives each new session its {@link StatementInterceptor}, after
 * authentication succeeded (so {@link SessionInfo} holds the user and database). Called on the
 * session's event loop; must not block.
 */
@FunctionalInterface
public interface SessionHooks {
    /** The pure relay: every session gets {@link StatementInterceptor#NONE}. */
    SessionHooks NONE = session -> StatementInterceptor.NONE;

    /** Returns the interceptor for a new session, or {@link StatementInterceptor#NONE}. */
    StatementInterceptor openSession(SessionInfo session);
}
