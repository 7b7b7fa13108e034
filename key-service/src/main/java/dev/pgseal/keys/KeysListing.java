package dev.pgseal.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pgseal.keys.store.KeyRingRepository;
import dev.pgseal.keys.store.KeyStoreDatabase;
import dev.pgseal.keys.store.StoreException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./pgseal keys list}: key rings, versions and states (never key bytes), read offline from
 * the store, as a text table or JSON.
 */
public final class KeysListing {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private KeysListing() {
    }

    /**
     * Prints the store's key rings to {@code out} (errors to {@code err}) and returns the exit
     * status: 0 listed, 1 the store could not be read.
     */
    public static int run(StoreSettings store, boolean json, PrintStream out, PrintStream err) {
        List<KeyRing> rings;
        try {
            rings = read(store);
        } catch (RuntimeException e) {
            err.println("pgseal keys list: " + e.getMessage());
            return 1;
        }
        out.print(json ? toJson(rings) : toTable(rings));
        out.flush();
        return 0;
    }

    /**
     * Reads every ring from the store (without migrating it).
     *
     * @throws StoreException when the store cannot be reached or has no schema pgseal
     */
    public static List<KeyRing> read(StoreSettings store) {
        try (KeyStoreDatabase db = KeyStoreDatabase.open(store, false)) {
            return db.inTransaction(c -> new KeyRingRepository().findAll(c));
        } catch (StoreException e) {
            if (e.getCause() instanceof java.sql.SQLException s && "42P01".equals(s.getSQLState())) {
                throw new StoreException("no key store (schema pgseal) in " + store.redactedUrl() + ": start pgseal once to create it", e);
            }
            throw e;
        }
    }

    /**
     * One line per version: ring, id, version, state, primary mark, master key, encryptions
     * recorded in the store, times.
     */
    public static String toTable(List<KeyRing> rings) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"RING", "ID", "VERSION", "STATE", "PRIMARY", "MASTER KEY", "ENCRYPTIONS", "CREATED",
            "DELETION DUE"});
        for (KeyRing r : rings) {
            for (KeyVersion v : r.versions()) {
                Instant due = v.deletionDueAt() != null ? v.deletionDueAt() : r.deletionDueAt();
                rows.add(new String[] {
                    r.name() + (r.deletedAt() != null ? " (deleted)" : ""),
                    Integer.toString(r.id()),
                    Integer.toString(v.version()) + (v.version() < r.minDecryptionVersion() ? " (below min)" : ""),
                    v.state().displayName(),
                    v.state() == KeyState.ACTIVE ? "*" : "",
                    v.masterKeyLabel() == null ? "-" : v.masterKeyLabel(),
                    Long.toString(v.encryptions()),
                    v.createdAt().toString(),
                    due == null ? "-" : due.toString()});
            }
        }
        int[] width = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(String.format("%-" + width[i] + "s", row[i]));
                if (i < row.length - 1) {
                    line.append("  ");
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        if (rings.isEmpty()) {
            sb.append("(no key rings)\n");
        }
        return sb.toString();
    }

    /**
     * {@code {"rings":[{"name":…,"id":…,"primary_version":…,"versions":[{"version":…,"state":…,
     * "encryptions":…}]}]}}
     */
    public static String toJson(List<KeyRing> rings) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (KeyRing r : rings) {
            Map<String, Object> ring = new LinkedHashMap<>();
            ring.put("name", r.name());
            ring.put("id", r.id());
            ring.put("created_at", r.createdAt().toString());
            ring.put("rotation_period_seconds", r.rotationPeriod() == null ? null : r.rotationPeriod().toSeconds());
            ring.put("primary_version", r.deletedAt() == null ? r.primaryVersion() : null);
            ring.put("latest_version", r.latestVersion());
            ring.put("min_decryption_version", r.minDecryptionVersion());
            ring.put("deletion_due_at", text(r.deletionDueAt()));
            ring.put("deleted_at", text(r.deletedAt()));
            List<Map<String, Object>> versions = new ArrayList<>();
            for (KeyVersion v : r.versions()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("version", v.version());
                m.put("state", v.state().displayName());
                m.put("primary", v.state() == KeyState.ACTIVE);
                m.put("master_key", v.masterKeyLabel());
                m.put("encryptions", v.encryptions());
                m.put("created_at", text(v.createdAt()));
                m.put("activated_at", text(v.activatedAt()));
                m.put("deactivated_at", text(v.deactivatedAt()));
                m.put("compromised_at", text(v.compromisedAt()));
                m.put("destroyed_at", text(v.destroyedAt()));
                m.put("deletion_due_at", text(v.deletionDueAt()));
                versions.add(m);
            }
            ring.put("versions", versions);
            list.add(ring);
        }
        try {
            return JSON.writeValueAsString(Map.of("rings", list)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the key listing as JSON", e);
        }
    }

    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }
}
