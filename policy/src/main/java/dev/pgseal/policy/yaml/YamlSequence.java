package dev.pgseal.policy.yaml;

import java.util.List;

/**
 * A sequence (list) and its items in order.
 *
 * @param items the items
 * @param location where the sequence starts
 */
public record YamlSequence(List<YamlNode> items, Location location) implements YamlNode {

    public YamlSequence {
        items = List.copyOf(items);
        if (location == null) {
            throw new IllegalArgumentException("location is required");
        }
    }

    @Override
    public String shape() {
        return "a list";
    }
}
