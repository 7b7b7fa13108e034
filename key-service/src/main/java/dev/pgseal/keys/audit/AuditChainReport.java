package dev.pgseal.keys.audit;

/**
 * The result of checking the audit log's hash chain.
 *
 * @param intact whether every link checked
 * @param events how many events were checked (up to the break, when broken)
 * @param brokenAtId the id of the first event whose link is broken, or null when intact
 * @param reason why that link is broken (edited row, deleted rows, reordered rows), or null
 */
public record AuditChainReport(boolean intact, long events, Long brokenAtId, String reason) {

    public static AuditChainReport ok(long events) {
        return new AuditChainReport(true, events, null, null);
    }

    public static AuditChainReport broken(long events, long id, String reason) {
        return new AuditChainReport(false, events, id, reason);
    }

    /** One line for people: {@code audit log intact: 12 events} or where and why it is broken. */
    public String describe() {
        return intact ? "audit log intact: " + events + " events"
                : "audit log broken at event " + brokenAtId + ": " + reason + " (" + events + " events verified before it)";
    }
}
