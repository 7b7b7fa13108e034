package dev.pgseal.policy.yaml;

/**
 * A node of a YAML document that remembers where it was written. Read a file with
 * {@link YamlReader}, then walk the tree (usually through {@link YamlFields}).
 */
public sealed interface YamlNode permits YamlScalar, YamlMapping, YamlSequence {

    /** Where the node starts in the file. */
    Location location();

    /** A short name of the node's shape for messages: "a string", "a list" or "a mapping". */
    String shape();
}
