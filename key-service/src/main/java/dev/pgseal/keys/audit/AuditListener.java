package dev.pgseal.keys.audit;

/**
 * Told of every audit event this instance appends, once the transaction that wrote it has committed
 * (never for an event that was rolled back), on the appending thread and outside any transaction.
 * A listener must return quickly (hand the event to a thread of its own); what it throws is logged
 * and does not reach the operation that was audited.
 */
@FunctionalInterface
public interface AuditListener {

    /**
     * @param id the event's id in {@code pgseal.audit_log}
     * @param event the event as appended
     */
    void appended(long id, AuditEvent event);
}
