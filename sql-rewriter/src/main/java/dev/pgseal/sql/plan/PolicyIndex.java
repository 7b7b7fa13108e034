package dev.pgseal.sql.plan;

import dev.pgseal.policy.Policy;
import dev.pgseal.policy.TablePolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The policy's protected tables by bare name, for resolving table references. */
final class PolicyIndex {

    private final Policy policy;
    private final Map<String, List<TablePolicy>> byName;

    PolicyIndex(Policy policy) {
        this.policy = policy;
        Map<String, List<TablePolicy>> m = new HashMap<>();
        for (TablePolicy t : policy.tables()) {
            m.computeIfAbsent(t.name().name(), k -> new ArrayList<>()).add(t);
        }
        m.replaceAll((k, v) -> List.copyOf(v));
        this.byName = Map.copyOf(m);
    }

    Policy policy() {
        return policy;
    }

    /** The protected tables called {@code name} in any schema. */
    List<TablePolicy> named(String name) {
        return byName.getOrDefault(name, List.of());
    }
}
