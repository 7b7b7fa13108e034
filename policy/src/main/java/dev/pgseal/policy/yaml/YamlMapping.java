package dev.pgseal.policy.yaml;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A mapping whose keys are scalars, in the order written. Duplicate keys have already been
 * reported by {@link YamlReader}; the first occurrence is kept.
 *
 * @param entries the entries in file order
 * @param location where the mapping starts
 */
public record YamlMapping(List<Entry> entries, Location location) implements YamlNode {

    /**
     * One {@code key: value} pair.
     *
     * @param key the key as written, with its position
     * @param value the value
     */
    public record Entry(YamlScalar key, YamlNode value) {
    }

    public YamlMapping {
        entries = List.copyOf(entries);
        if (location == null) {
            throw new IllegalArgumentException("location is required");
        }
    }

    /** The entry for {@code key}, if present. */
    public Optional<Entry> entry(String key) {
        for (Entry e : entries) {
            if (e.key().value().equals(key)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** The value for {@code key}, if present. */
    public Optional<YamlNode> get(String key) {
        return entry(key).map(Entry::value);
    }

    /** The keys and values in file order. */
    public Map<String, YamlNode> asMap() {
        Map<String, YamlNode> map = new LinkedHashMap<>();
        entries.forEach(e -> map.put(e.key().value(), e.value()));
        return map;
    }

    @Override
    public String shape() {
        return "a mapping";
    }
}
