package dev.pgseal.keys.alerts;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One alert: which rule fired, on what subject ({@code principal:alice}, {@code address:10.0.0.7},
 * {@code ring:patients/v2}, {@code master-key-store}), when, a sentence for people, and details
 * for machines (counts, thresholds). Details hold names and numbers only, never key material.
 *
 * @param rule the rule that fired
 * @param subject what it fired on
 * @param at when it fired
 * @param message one sentence, e.g. {@code 5 denied requests from address 10.0.0.7 in 60s}
 * @param details strings, numbers and booleans, in insertion order
 */
public record Alert(AlertRule rule, String subject, Instant at, String message, Map<String, Object> details) {

    public Alert {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(message, "message");
        details = details == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }
}
