package dev.pgseal.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pgseal.policy.yaml.Diagnostic;
import dev.pgseal.policy.yaml.DurationText;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * The {@code pgseal policy validate FILE [--json]} command as a library call: loads a policy and
 * renders either a summary (tables, columns, keys) or every error, for people or as JSON.
 * Exit code 0 when valid, 1 when not.
 */
public final class PolicyValidation {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final PolicyLoadResult result;

    private PolicyValidation(PolicyLoadResult result) {
        this.result = result;
    }

    /** Validates the policy file at {@code file}. */
    public static PolicyValidation of(Path file) {
        return new PolicyValidation(PolicyLoader.load(file));
    }

    /** Renders an existing load result. */
    public static PolicyValidation of(PolicyLoadResult result) {
        return new PolicyValidation(result);
    }

    public PolicyLoadResult result() {
        return result;
    }

    /** 0 when the policy is valid (warnings allowed), 1 otherwise. */
    public int exitCode() {
        return result.isValid() ? 0 : 1;
    }

    /** The report for a terminal: a summary and warnings, or the errors with file:line:column. */
    public String text() {
        StringBuilder out = new StringBuilder();
        if (!result.isValid()) {
            result.errors().forEach(e -> out.append(e).append('\n'));
            result.warnings().forEach(w -> out.append(w).append('\n'));
            int n = result.errors().size();
            out.append(result.file()).append(": invalid, ").append(n).append(n == 1 ? " error" : " errors").append('\n');
            return out.toString();
        }
        Policy p = result.policy().orElseThrow();
        out.append(result.file()).append(": valid (version ").append(p.version()).append("): ")
                .append(count(p.tables().size(), "table")).append(", ")
                .append(count(p.columnCount(), "protected column")).append(", ")
                .append(count(p.keys().size(), "key")).append('\n');
        out.append("databases: ").append(p.databases().map(d -> String.join(", ", d))
                .orElse("every database except the key store's")).append('\n');
        if (!p.keys().isEmpty()) {
            out.append("keys:\n");
            for (KeyPolicy k : p.keys()) {
                out.append("  ").append(k.name()).append(": rotation ")
                        .append(k.rotation().map(DurationText::format).orElse("manual"));
                k.minDecryptionVersion().ifPresent(v -> out.append(", min_decryption_version ").append(v));
                out.append('\n');
            }
        }
        for (TablePolicy t : p.tables()) {
            out.append("table ").append(t.name());
            out.append(t.primaryKey().isEmpty() ? " (no primary key)" : " (primary key " + String.join(", ", t.primaryKey()) + ")");
            out.append('\n');
            for (ColumnPolicy c : t.columns()) {
                out.append("  ").append(c.name()).append(' ').append(c.type()).append(' ')
                        .append(lower(c.encryption())).append(" key ").append(c.key())
                        .append(c.equalityGroup().map(g -> " equality_group " + g).orElse(""))
                        .append("; readers: ").append(c.readers())
                        .append("; writers: ").append(c.writers())
                        .append("; others: ").append(lower(c.onUnauthorized()));
                c.mask().ifPresent(m -> out.append(" \"").append(m.text()).append('"'));
                out.append('\n');
            }
        }
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (TablePolicy t : p.tables()) {
            for (ColumnPolicy c : t.columns()) {
                c.equalityGroup().ifPresent(g -> groups.computeIfAbsent(g, k -> new ArrayList<>())
                        .add(t.name() + "." + c.name()));
            }
        }
        if (!groups.isEmpty()) {
            out.append("equality groups:\n");
            groups.forEach((g, members) -> out.append("  ").append(g).append(": ").append(String.join(", ", members))
                    .append('\n'));
            out.append("note: a column's equality group is bound into its envelopes; moving a column that holds values"
                    + " into, out of or between groups makes those values undecryptable (docs/policy.md)\n");
        }
        result.warnings().forEach(w -> out.append(w).append('\n'));
        return out.toString();
    }

    /**
     * The report as JSON: {@code {"file", "valid", "errors": [...], "warnings": [...], "summary"}},
     * each diagnostic as {@code {"file", "line", "column", "severity", "message"}}; the summary (only
     * when valid) lists the databases ({@code null}: every database except the key store's), counts
     * tables, columns and keys and lists them.
     */
    public String json() {
        ObjectNode root = JSON.createObjectNode();
        root.put("file", result.file());
        root.put("valid", result.isValid());
        root.set("errors", diagnostics(result.errors()));
        root.set("warnings", diagnostics(result.warnings()));
        result.policy().ifPresent(p -> {
            ObjectNode summary = root.putObject("summary");
            summary.put("version", p.version());
            summary.put("tables", p.tables().size());
            summary.put("columns", p.columnCount());
            summary.put("keys", p.keys().size());
            p.databases().ifPresentOrElse(list -> {
                ArrayNode databases = summary.putArray("databases");
                list.forEach(databases::add);
            }, () -> summary.putNull("databases"));
            ArrayNode keys = summary.putArray("key_list");
            for (KeyPolicy k : p.keys()) {
                ObjectNode key = keys.addObject();
                key.put("name", k.name());
                k.rotation().ifPresentOrElse(r -> key.put("rotation", DurationText.format(r)), () -> key.putNull("rotation"));
                k.minDecryptionVersion().ifPresent(v -> key.put("min_decryption_version", v));
            }
            ArrayNode tables = summary.putArray("table_list");
            for (TablePolicy t : p.tables()) {
                ObjectNode table = tables.addObject();
                table.put("schema", t.name().schema());
                table.put("name", t.name().name());
                ArrayNode pk = table.putArray("primary_key");
                t.primaryKey().forEach(pk::add);
                ArrayNode columns = table.putArray("columns");
                for (ColumnPolicy c : t.columns()) {
                    ObjectNode column = columns.addObject();
                    column.put("name", c.name());
                    column.put("type", c.type().toString());
                    column.put("encryption", lower(c.encryption()));
                    column.put("key", c.key());
                    c.equalityGroup().ifPresent(g -> column.put("equality_group", g));
                    column.set("readers", roles(c.readers()));
                    column.set("writers", roles(c.writers()));
                    column.put("on_unauthorized", lower(c.onUnauthorized()));
                    c.mask().ifPresent(m -> column.put("mask", m.text()));
                }
            }
        });
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ArrayNode diagnostics(List<Diagnostic> list) {
        ArrayNode array = JSON.createArrayNode();
        for (Diagnostic d : list) {
            ObjectNode o = array.addObject();
            o.put("file", d.file());
            o.put("line", d.line());
            o.put("column", d.column());
            o.put("severity", lower(d.severity()));
            o.put("message", d.message());
        }
        return array;
    }

    private static ArrayNode roles(RoleSet roles) {
        ArrayNode array = JSON.createArrayNode();
        if (roles.everyone()) {
            array.add("*");
        } else {
            roles.roles().stream().sorted().forEach(array::add);
        }
        return array;
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
