package dev.pgseal.policy.yaml;

import java.util.Set;

/**
 * A scalar: its text exactly as written (without quotes), and whether it was written plain
 * (unquoted), which decides whether {@code null}, {@code ~} or nothing at all mean "no value".
 *
 * @param value the text of the scalar
 * @param plain whether it was written without quotes
 * @param location where it starts
 */
public record YamlScalar(String value, boolean plain, Location location) implements YamlNode {

    private static final Set<String> NULLS = Set.of("", "~", "null", "Null", "NULL");

    public YamlScalar {
        if (value == null || location == null) {
            throw new IllegalArgumentException("value and location are required");
        }
    }

    /** Whether the scalar is YAML's null (an unquoted {@code null}, {@code ~}, or nothing). */
    public boolean isNull() {
        return plain && NULLS.contains(value);
    }

    @Override
    public String shape() {
        return isNull() ? "empty" : "a string";
    }
}
