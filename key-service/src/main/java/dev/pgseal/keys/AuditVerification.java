package dev.pgseal.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgseal.keys.audit.AuditChainReport;
import dev.pgseal.keys.audit.AuditLog;
import dev.pgseal.keys.store.KeyStoreDatabase;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code ./pgseal audit verify}: checks the audit log's hash chain offline against the store and
 * names the first broken link.
 */
public final class AuditVerification {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditVerification() {
    }

    /**
     * Verifies and prints the result; returns the exit status: 0 intact, 1 broken or the store
     * could not be read (message on {@code err}).
     */
    public static int run(StoreSettings store, boolean json, PrintStream out, PrintStream err) {
        AuditChainReport report;
        try {
            report = verify(store);
        } catch (RuntimeException e) {
            err.println("pgseal audit verify: " + e.getMessage());
            return 1;
        }
        out.println(json ? toJson(report) : report.describe());
        out.flush();
        return report.intact() ? 0 : 1;
    }

    /** Verifies the chain in the store (without migrating it). */
    public static AuditChainReport verify(StoreSettings store) {
        try (KeyStoreDatabase db = KeyStoreDatabase.open(store, false)) {
            return db.inTransaction(AuditLog::verify);
        }
    }

    /** {@code {"intact":true,"events":12}} or with {@code broken_at_id} and {@code reason}. */
    public static String toJson(AuditChainReport report) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("intact", report.intact());
        m.put("events", report.events());
        if (!report.intact()) {
            m.put("broken_at_id", report.brokenAtId());
            m.put("reason", report.reason());
        }
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the audit report as JSON", e);
        }
    }
}
