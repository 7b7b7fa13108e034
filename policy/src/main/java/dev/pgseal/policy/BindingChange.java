package dev.pgseal.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A protected column whose envelopes bind different associated data under a new policy than under
 * the old one, because it joined, left or changed its {@code equality_group}. Envelopes written
 * under the old binding do not decrypt under the new one (the AEAD tag fails), so a column that
 * already holds values must be rewritten through pgseal, or the change reverted. pgseal reports such
 * changes when a policy is reloaded; it cannot tell from the policy alone whether the column holds
 * values.
 *
 * @param table the table
 * @param column the column name (catalog form)
 * @param before the group under the old policy; empty when the column bound itself
 * @param after the group under the new policy; empty when the column binds itself
 */
public record BindingChange(QualifiedName table, String column, Optional<String> before, Optional<String> after) {

    public BindingChange {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
        if (before.equals(after)) {
            throw new IllegalArgumentException("not a change: " + before);
        }
    }

    /**
     * The columns protected under both policies whose equality group differs, in the new policy's
     * order. A column that starts or stops being protected is not listed (its values change form
     * anyway).
     */
    public static List<BindingChange> between(Policy before, Policy after) {
        List<BindingChange> changes = new ArrayList<>();
        for (TablePolicy table : after.tables()) {
            Optional<TablePolicy> old = before.table(table.name());
            if (old.isEmpty()) {
                continue;
            }
            for (ColumnPolicy column : table.columns()) {
                old.get().column(column.name())
                        .filter(o -> !o.equalityGroup().equals(column.equalityGroup()))
                        .ifPresent(o -> changes.add(new BindingChange(table.name(), column.name(), o.equalityGroup(),
                                column.equalityGroup())));
            }
        }
        return List.copyOf(changes);
    }

    /** One line for a log or a report, saying what no longer decrypts and what to do. */
    public String describe() {
        return "column " + table.toSql() + "." + column + " now binds " + binding(after) + " instead of "
                + binding(before) + ": envelopes it holds from before the change no longer decrypt; rewrite its values"
                + " through pgseal (read them under the old policy, write them under the new one) or revert the change";
    }

    private static String binding(Optional<String> group) {
        return group.map(g -> "equality group '" + g + "'").orElse("its own identity (no equality group)");
    }
}
