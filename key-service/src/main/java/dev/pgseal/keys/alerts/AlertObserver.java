package dev.pgseal.keys.alerts;

/**
 * Told of what the alerting does (the admin server counts it in {@code /metrics}). Called on the
 * alerting's own threads; must return quickly and not throw.
 */
public interface AlertObserver {

    /** An alert fired (after de-duplication). */
    default void fired(Alert alert) {
    }

    /** The webhook could not deliver {@code alert} (after its retries, or its queue was full). */
    default void webhookFailed(Alert alert, String reason) {
    }

    /** An audit event could not be evaluated because the rules' queue was full. */
    default void eventDropped() {
    }
}
