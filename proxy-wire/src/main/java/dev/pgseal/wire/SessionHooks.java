package dev.pgseal.wire;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Extension point of the proxy: decides whether a new session may be served at all, and gives each
 * served session its {@link StatementInterceptor} after authentication succeeded (so
 * {@link SessionInfo} holds the user and database). Called on the session's event loop; must not
 * block.
 */
@FunctionalInterface
public interface SessionHooks {
    /** The pure relay: every session gets {@link StatementInterceptor#NONE}. */
    SessionHooks NONE = session -> StatementInterceptor.NONE;

    /**
     * Called once the StartupMessage has passed pgseal's own checks and before anything reaches
     * PostgreSQL. Slow work (a catalog check of a database seen for the first time) runs elsewhere;
     * the session waits, without blocking its event loop, for the returned stage. An empty result
     * admits the session; a refusal ends it with a FATAL error carrying that SQLSTATE and message.
     */
    default CompletionStage<Optional<SessionRefusal>> admit(SessionInfo session) {
        return CompletableFuture.completedFuture(Optional.empty());
    }

    /** Returns the interceptor for a new session, or {@link StatementInterceptor#NONE}. */
    StatementInterceptor openSession(SessionInfo session);
}
